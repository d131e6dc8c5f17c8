from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="account_login")),
    path("accounts/", include("allauth.urls")),
    # The OpenID provider: /.well-known/openid-configuration, /identity/o/... (allauth/idp/oidc/urls.py)
    path("", include("allauth.idp.urls")),
]
