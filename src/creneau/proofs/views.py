"""Public endpoints of the proofs app: the JWKS that lets anyone verify our tokens."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from creneau.proofs.keys import public_jwks

# Short: a cached copy may lack a key activated in the last few minutes (verifiers refetch on an
# unknown kid).
JWKS_MAX_AGE = 300


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(public_jwks(), content_type="application/jwk-set+json")
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response
