"""The message catalogs under src/creneau are complete, keep their placeholders, and ship compiled.

Covers the project catalog (src/creneau/locale, LOCALE_PATHS) and every app catalog
(src/creneau/<app>/locale: notify, proofs…). French is the source language: the only French
catalog is src/creneau/locale/fr, which overrides strings of third-party code (see
creneau/www/extra_strings.py).

To refresh after changing strings, see the commands in this module's REFRESH constant.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from pathlib import Path

import polib
import pytest

REFRESH = """
export DJANGO_SETTINGS_MODULE=creneau.settings PYTHONPATH=$PWD/src
(cd src/creneau && ../../.venv/bin/django-admin makemessages -l en -l ar --no-obsolete \\
    --ignore 'proofs/*' --ignore 'notify/*' --ignore 'allocation/*' --ignore 'simulation/*' \\
    --ignore 'locale/*')
(cd src/creneau/notify && ../../../.venv/bin/django-admin makemessages -l en -l ar --no-obsolete)
# translate, then for every catalog: msgfmt --check -o django.mo django.po
"""

SRC = Path(__file__).resolve().parent.parent / "src" / "creneau"
CATALOGS = sorted(SRC.glob("locale/*/LC_MESSAGES/*.po")) + sorted(SRC.glob("*/locale/*/LC_MESSAGES/*.po"))
TRANSLATED_LANGUAGES = {"en", "ar"}

# The plural rule of Django's own Arabic catalog, and the usual English one.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
          "n%100>=11 && n%100<=99 ? 4 : 5;",
    "en": "nplurals=2; plural=(n != 1);",
}

NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TEMPLATE_VAR = re.compile(r"\{\{\s*[\w.|:\"' ]+?\s*\}\}")
BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")
ARABIC = re.compile(r"[\u0600-\u06FF]")

Catalog = tuple[Path, polib.POFile]


def _language(path: Path) -> str:
    return path.parent.parent.name


def _rel(path: Path) -> str:
    return str(path.relative_to(SRC.parent.parent))


def _placeholders(text: str, entry: polib.POEntry) -> dict[str, object]:
    stripped = text.replace("%%", "")
    found: dict[str, object] = {
        "named": set(NAMED.findall(stripped)),
        "positional": sorted(POSITIONAL.findall(stripped)),
        "template": {" ".join(v.split()) for v in TEMPLATE_VAR.findall(text)},
    }
    if "python-brace-format" in entry.flags:
        found["brace"] = set(BRACE.findall(text))
    return found


def _single_value_forms(po: polib.POFile) -> set[int]:
    """Plural forms used for exactly one n (Arabic 0, 1 and 2; English singular): these may
    spell the number out ("طلبان", "one") instead of printing the count placeholder."""
    header = po.metadata.get("Plural-Forms", "")
    match = re.search(r"plural=(.+?);?\s*$", header)
    if not match:
        return set()
    plural = gettext.c2py(match.group(1))  # the stdlib's own C-expression parser
    counts: dict[int, int] = {}
    for n in range(0, 1000):
        index = plural(n)
        counts[index] = counts.get(index, 0) + 1
    return {index for index, count in counts.items() if count == 1}


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and e.msgid]


@pytest.fixture(scope="module", params=CATALOGS, ids=_rel)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    return request.param, polib.pofile(str(request.param))


def test_the_catalogs_are_found() -> None:
    languages = {(p.parts[-5] if p.parts[-5] != "creneau" else "project", _language(p)) for p in CATALOGS}
    for app in ("project", "notify", "proofs"):
        for language in TRANSLATED_LANGUAGES:
            assert (app, language) in languages, f"no {language} catalog for {app}"
    assert (SRC / "locale" / "fr" / "LC_MESSAGES" / "django.po").exists()


def test_the_header_matches_the_language(catalog: Catalog) -> None:
    path, po = catalog
    language = _language(path)
    assert not po.metadata_is_fuzzy, f"{_rel(path)}: fuzzy header"
    assert po.metadata.get("Language") == language, _rel(path)
    if language in PLURAL_FORMS:
        assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[language], _rel(path)


def test_every_entry_is_translated_and_none_is_fuzzy(catalog: Catalog) -> None:
    path, po = catalog
    if _language(path) not in TRANSLATED_LANGUAGES | {"fr"}:
        pytest.skip("not a maintained language")
    match = re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, f"{_rel(path)}: no Plural-Forms header"
    nplurals = int(match.group(1))
    problems = []
    for entry in _live(po):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if len(entry.msgstr_plural) != nplurals:
                problems.append(f"wrong number of plural forms: {entry.msgid!r}")
            if not all(v.strip() for v in entry.msgstr_plural.values()):
                problems.append(f"untranslated plural form: {entry.msgid!r}")
        elif not entry.msgstr.strip():
            problems.append(f"untranslated: {entry.msgid!r}")
    assert not problems, f"{_rel(path)}:\n" + "\n".join(problems)


def test_placeholders_are_kept(catalog: Catalog) -> None:
    path, po = catalog
    single = _single_value_forms(po)
    problems = []
    for entry in _live(po):
        source = _placeholders(entry.msgid, entry)
        if entry.msgid_plural:
            plural = _placeholders(entry.msgid_plural, entry)
            source["named"] = source["named"] | plural["named"]  # type: ignore[operator]
            source["template"] = source["template"] | plural["template"]  # type: ignore[operator]
            targets = sorted(entry.msgstr_plural.items())
        else:
            targets = [(None, entry.msgstr)]
        for index, text in targets:
            if not text:
                continue
            found = _placeholders(text, entry)
            extra = found["named"] - source["named"]  # type: ignore[operator]
            missing = source["named"] - found["named"]  # type: ignore[operator]
            if extra:
                problems.append(f"{entry.msgid!r} [{index}]: unknown placeholder(s) {sorted(extra)}")
            if missing and not (index in single and len(missing) <= 1):
                problems.append(f"{entry.msgid!r} [{index}]: missing placeholder(s) {sorted(missing)}")
            spelled_out = index in single and not found["positional"]
            if found["positional"] != source["positional"] and not spelled_out:
                problems.append(f"{entry.msgid!r} [{index}]: positional placeholders differ")
            if found["template"] != source["template"]:
                problems.append(f"{entry.msgid!r} [{index}]: template variables differ")
            if "brace" in source and found.get("brace") != source["brace"]:
                problems.append(f"{entry.msgid!r} [{index}]: brace placeholders differ")
    assert not problems, f"{_rel(path)}:\n" + "\n".join(problems)


def test_arabic_entries_are_in_arabic(catalog: Catalog) -> None:
    """An Arabic msgstr with no Arabic letter is a copy of the source (a name, a code) or a mistake."""
    path, po = catalog
    if _language(path) != "ar":
        pytest.skip("Arabic only")
    problems = []
    for entry in _live(po):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if text and not ARABIC.search(text) and text not in (entry.msgid, entry.msgid_plural):
                problems.append(f"{entry.msgid!r}: {text!r}")
    assert not problems, f"{_rel(path)}: neither Arabic nor a copy of the source:\n" + "\n".join(problems)


Pair = tuple[str | None, str, str | None, tuple[str, ...]]


def _pairs(entries: Iterable[polib.POEntry | polib.MOEntry]) -> set[Pair]:
    pairs: set[Pair] = set()
    for e in entries:
        if not e.msgid or e.obsolete or "fuzzy" in e.flags:
            continue
        if e.msgid_plural:
            forms = tuple(v for _, v in sorted(e.msgstr_plural.items()))
            if all(forms):
                pairs.add((e.msgctxt, e.msgid, e.msgid_plural, forms))
        elif e.msgstr:
            pairs.add((e.msgctxt, e.msgid, None, (e.msgstr,)))
    return pairs


def test_the_compiled_catalog_is_up_to_date(catalog: Catalog, tmp_path: Path) -> None:
    path, po = catalog
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{_rel(mo_path)} is missing: run msgfmt --check -o django.mo django.po"
    fresh = tmp_path / "fresh.mo"
    po.save_as_mofile(str(fresh))
    expected = _pairs(polib.mofile(str(fresh)))
    assert expected == _pairs(_live(po)), "polib compiled the catalog differently from its entries"
    shipped = _pairs(polib.mofile(str(mo_path)))
    stale = sorted(m for _, m, _, _ in expected - shipped)
    gone = sorted(m for _, m, _, _ in shipped - expected)
    advice = f"{_rel(mo_path)} is out of date: run msgfmt --check -o django.mo django.po"
    assert not stale, f"{advice}\nmissing or changed in the .mo: {stale[:10]}"
    assert not gone, f"{advice}\nonly in the .mo: {gone[:10]}"
