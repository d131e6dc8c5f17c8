"""Prepares a fresh django-allauth site (tests/allauth/project) as the OpenID provider target.

    ALLAUTH_SITE_DIR=DIR python site_setup.py PORT

In ALLAUTH_SITE_DIR: writes the provider's RSA signing key (oidc-private-key.pem, which the
site's settings read as IDP_OIDC_PRIVATE_KEY), creates the database (migrate), and registers the
client of target.toml's [client] table, with {port} replaced by PORT. Run by serve.sh.
"""

import os
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE.parents[1] / "tests" / "allauth" / "project"
KEY_FILE = "oidc-private-key.pem"


def write_signing_key(site_dir: Path) -> None:
    """An RSA 2048 key in PKCS#8 PEM: allauth signs ID tokens with RS256 only
    (allauth/idp/oidc/views.py: id_token_signing_alg_values_supported)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = site_dir / KEY_FILE
    path.write_bytes(pem)
    path.chmod(0o600)


def register_client(port: str) -> None:
    """The harness's client as allauth's Client model holds it (allauth/idp/oidc/models.py):
    confidential, the code flow only, its secret hashed with make_password as allauth's own
    default_client_secret does, no consent page (a first-party client: skip_consent)."""
    from django.contrib.auth.hashers import make_password

    from allauth.idp.oidc.models import Client

    with open(HERE / "target.toml", "rb") as f:
        client = tomllib.load(f)["client"]
    record = Client(
        id=client["id"],
        name="softfido matrix",
        secret=make_password(client["secret"]),
        type=Client.Type.CONFIDENTIAL,
        skip_consent=True,
    )
    record.set_scopes(client["scopes"])
    record.set_redirect_uris([client["redirect_uri"].replace("{port}", port)])
    record.grant_types = Client.GrantType.AUTHORIZATION_CODE
    record.response_types = Client.ResponseType.CODE
    record.save()


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: ALLAUTH_SITE_DIR=DIR site_setup.py PORT")
    port = sys.argv[1]
    # The key first: the settings read it when Django starts.
    write_signing_key(Path(os.environ["ALLAUTH_SITE_DIR"]))
    sys.path.insert(0, str(SITE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allauthsite.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    register_client(port)


if __name__ == "__main__":
    main()
