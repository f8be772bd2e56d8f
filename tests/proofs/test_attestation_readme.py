"""The README's "Verify a proof offline" snippet works, as written, on a real attestation."""

import json
import pathlib
import sys

import pytest

from creneau.proofs import tokens
from creneau.proofs.attestation import ATTESTATION_TYP

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.django_db


def _snippet() -> str:
    section = README.read_text().split("## Verify a proof offline", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_snippet_verifies_an_attestation_and_refuses_an_altered_one(
    client, tmp_path, monkeypatch, capsys
):
    token = tokens.sign({"code": "AAAA-BBBB-CCCC", "ref": "R1", "runs": []}, ATTESTATION_TYP)
    jwks = client.get("/.well-known/jwks.json").content
    monkeypatch.setattr("urllib.request.urlopen", lambda url: __import__("io").BytesIO(jwks))
    path = tmp_path / "a.jws"
    path.write_text(token + "\n")
    monkeypatch.setattr(sys, "argv", ["verify", str(path)])
    exec(compile(_snippet(), "README.md", "exec"), {})  # noqa: S102
    assert json.loads(capsys.readouterr().out)["code"] == "AAAA-BBBB-CCCC"
    header, payload, signature = token.split(".")
    path.write_text(f"{header}.{payload[:-2]}AA.{signature}")
    with pytest.raises(Exception, match=r"[Ss]ignature"):
        exec(compile(_snippet(), "README.md", "exec"), {})  # noqa: S102
