"""Public endpoints of the proofs app: the JWKS that lets anyone verify our tokens, and a page that
does it for people without a JOSE library."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from creneau.proofs.keys import public_jwks
from creneau.proofs.tokens import MAX_TOKEN_LENGTH
from creneau.proofs.verification import check

# Short: a cached copy may lack a key activated in the last few minutes (verifiers refetch on an
# unknown kid).
JWKS_MAX_AGE = 300


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(public_jwks(), content_type="application/jwk-set+json")
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """``/verifier/?jeton=…``: a GET form, so a proof can be checked from a link, without JavaScript."""
    token = "".join(request.GET.get("jeton", "").split())  # copied from a PDF, it may hold line breaks
    # This URL sits outside i18n_patterns (one address printed on every receipt), where
    # LocaleMiddleware always picks French: honour the visitor's cookie or browser language here.
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        outcome = check(token) if token else None
        response = render(request, "proofs/verify.html", {
            "token": token[:MAX_TOKEN_LENGTH], "outcome": outcome, "max_length": MAX_TOKEN_LENGTH,
        })
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response["Referrer-Policy"] = "no-referrer"
    return response
