"""The verification snippets of docs/proofs.md run against the JWKS the site serves."""

import base64
import json
import re
from pathlib import Path

import pytest

from creneau.proofs import tokens

DOC = Path(__file__).resolve().parents[2] / "docs" / "proofs.md"

pytestmark = pytest.mark.django_db


def doc_functions() -> dict:
    namespace: dict = {}
    for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL):
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


@pytest.mark.parametrize("name", ["verify_receipt", "verify_receipt_jwcrypto"])
def test_the_documented_snippet_verifies_a_receipt(client, receipt_request, name):
    verify = doc_functions()[name]
    token = tokens.sign_receipt(receipt_request)  # the first signature creates the key
    jwks = client.get("/.well-known/jwks.json").json()

    assert verify(token, jwks) == tokens.verify(token, tokens.RECEIPT_TYP)


@pytest.mark.parametrize("name", ["verify_receipt", "verify_receipt_jwcrypto"])
def test_the_documented_snippet_refuses_an_altered_receipt(client, receipt_request, name):
    verify = doc_functions()[name]
    header, payload, signature = tokens.sign_receipt(receipt_request).split(".")
    jwks = client.get("/.well-known/jwks.json").json()
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    altered = base64.urlsafe_b64encode(json.dumps({**claims, "batch": 1}).encode()).rstrip(b"=").decode()

    with pytest.raises(Exception):  # noqa: B017, PT011 - each library raises its own error
        verify(f"{header}.{altered}.{signature}", jwks)


@pytest.mark.parametrize("name", ["verify_receipt", "verify_receipt_jwcrypto"])
def test_the_documented_snippet_refuses_another_type(client, receipt_request, name):
    verify = doc_functions()[name]
    token = tokens.sign(tokens.receipt_claims(receipt_request), "creneau-attestation+jwt")
    jwks = client.get("/.well-known/jwks.json").json()

    with pytest.raises(Exception):  # noqa: B017, PT011
        verify(token, jwks)
