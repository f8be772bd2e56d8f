"""Languages an interpreter can be booked for (ISO 639-1), with their names in French (source)."""

from django.utils.translation import gettext_lazy as _

INTERPRETER_LANGUAGES = [
    ("ar", _("arabe")),
    ("bn", _("bengali")),
    ("en", _("anglais")),
    ("es", _("espagnol")),
    ("fa", _("persan (dari, farsi)")),
    ("ka", _("géorgien")),
    ("ps", _("pachto")),
    ("pt", _("portugais")),
    ("ru", _("russe")),
    ("so", _("somali")),
    ("ta", _("tamoul")),
    ("ti", _("tigrigna")),
    ("tr", _("turc")),
    ("uk", _("ukrainien")),
    ("zh", _("chinois")),
]
INTERPRETER_CODES = {code for code, _label in INTERPRETER_LANGUAGES}
