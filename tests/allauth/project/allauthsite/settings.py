"""Settings of a minimal django-allauth site with passkeys (allauth.mfa's "webauthn").

Environment:
  ALLAUTH_SITE_DIR          required: a directory of its own for the SQLite database and the
                            mails sent (mails/, one file per mail; Django's file backend).
  ALLAUTH_PASSKEY_SIGNUP=1  passkey-only signups (MFA_PASSKEY_SIGNUP_ENABLED). allauth then
                            demands an email address at signup, verified by a code
                            (allauth/mfa/checks.py); otherwise a signup is a username and a
                            password, with no email at all.
  ALLAUTH_WEBAUTHN_USER_VERIFICATION
                            MFA_WEBAUTHN_USER_VERIFICATION: the userVerification of the
                            ceremonies of a key added as a second factor (not "Passwordless").
                            Unset: allauth's default, "preferred". Passkeys always ask for
                            "required" (allauth/mfa/webauthn/internal/auth.py).
  ALLAUTH_RATE_LIMITS=off  no rate limits (ACCOUNT_RATE_LIMITS = False): a matrix signs up an
                            account per scenario from one address, past allauth's default of
                            20 signups a minute per IP (allauth/account/app_settings.py).

The site is also an OpenID provider (allauth.idp.oidc), for targets/django-allauth: its
discovery at /.well-known/openid-configuration, its endpoints under /identity/o/. Its RS256
signing key is the PEM file oidc-private-key.pem in ALLAUTH_SITE_DIR when there is one
(targets/django-allauth/serve.sh writes it); without it the provider serves its discovery but
cannot sign ID tokens.

Served over http://localhost:PORT: browsers treat localhost as a secure context, and
python-fido2's Fido2Server accepts the origin http://localhost (fido2/rpid.py), so
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN (which skips the origin check) stays off. The RP ID is the
request's host without the port: "localhost".
"""
import os
from pathlib import Path

SITE_DIR = Path(os.environ["ALLAUTH_SITE_DIR"])
PASSKEY_SIGNUP = os.environ.get("ALLAUTH_PASSKEY_SIGNUP") == "1"

SECRET_KEY = "throwaway-allauth-site-for-tests"
DEBUG = True  # runserver serves allauth's static files (its webauthn.js) only with DEBUG
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.idp.oidc",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "allauthsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": SITE_DIR / "db.sqlite3",
        # Concurrent browsers (a matrix's contexts): a deferred transaction that reads and then
        # writes fails at once with "database is locked" (allauth's token endpoint did);
        # IMMEDIATE ones wait for the lock, up to the timeout (Django's SQLite notes).
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Fast password hashing: the site lives for one test run.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = []

USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = SITE_DIR / "mails"

# Signed in: allauth's own two-factor page (it needs a signed-in user).
LOGIN_REDIRECT_URL = "mfa_index"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

if PASSKEY_SIGNUP:
    ACCOUNT_LOGIN_METHODS = {"email"}
    ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
    ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
else:
    ACCOUNT_LOGIN_METHODS = {"username"}
    ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
    ACCOUNT_EMAIL_VERIFICATION = "none"

if os.environ.get("ALLAUTH_RATE_LIMITS") == "off":
    ACCOUNT_RATE_LIMITS = False

MFA_SUPPORTED_TYPES = ["webauthn"]
MFA_WEBAUTHN_USER_VERIFICATION = os.environ.get("ALLAUTH_WEBAUTHN_USER_VERIFICATION", "preferred")
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = PASSKEY_SIGNUP

# The OpenID provider's signing key (allauth/idp/oidc/app_settings.py PRIVATE_KEY).
_OIDC_KEY = SITE_DIR / "oidc-private-key.pem"
IDP_OIDC_PRIVATE_KEY = _OIDC_KEY.read_text() if _OIDC_KEY.exists() else ""
