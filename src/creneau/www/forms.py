"""Shared form pieces: the DSFR base form, and field validators for identity and contact."""

from __future__ import annotations

import datetime
import re
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from creneau.identity.normalise import is_latin_name

MAX_UNAVAILABLE_DATES = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BaseForm(DsfrBaseForm):  # type: ignore[misc]  # django-dsfr ships no type hints
    """DSFR rendering; optional fields are marked "(facultatif)" rather than required ones starred."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


def clean_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValidationError(_("Ce champ contient des caractères invalides."), code="control")
    return " ".join(value.split())


def validate_name(value: str) -> None:
    if not is_latin_name(value):
        raise ValidationError(
            _(
                "Écrivez le nom en lettres latines, comme sur votre passeport ou votre titre de séjour "
                "(lettres, espaces, traits d'union et apostrophes seulement)."
            ),
            code="name_script",
        )


def validate_birth_date(value: datetime.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("La date de naissance ne peut pas être dans le futur."), code="future")
    if value < today.replace(year=today.year - 120):
        raise ValidationError(_("Vérifiez la date de naissance."), code="too_old")


def validate_agdref(value: str) -> None:
    if value and not re.fullmatch(r"\d{10}", value):
        raise ValidationError(_("Le numéro étranger (AGDREF) compte 10 chiffres."), code="agdref")


def normalise_document_number(value: str) -> str:
    return re.sub(r"[\s\-]", "", value).upper()


def validate_passport(value: str) -> None:
    if value and not re.fullmatch(r"[A-Z0-9]{5,20}", value):
        raise ValidationError(
            _("Le numéro de passeport compte de 5 à 20 lettres latines et chiffres."), code="passport"
        )


def normalise_phone(value: str) -> str:
    """E.164 form of a mobile number; French and overseas numbers may be typed without +33/+262."""
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Ce numéro de téléphone n'est pas valide."), code="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Ce numéro de téléphone n'est pas valide."), code="phone")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValidationError(
            _("Indiquez un numéro de téléphone mobile (pour recevoir des SMS)."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_dates(value: str, *, horizon_days: int = 366) -> list[datetime.date]:
    """Dates typed as JJ/MM/AAAA or AAAA-MM-JJ, separated by commas, spaces or new lines."""
    today = timezone.localdate()
    dates: set[datetime.date] = set()
    for token in re.split(r"[\s,;]+", value.strip()):
        if not token:
            continue
        parsed = None
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                parsed = datetime.datetime.strptime(token, fmt).date()
                break
            except ValueError:
                continue
        if parsed is None:
            raise ValidationError(
                _("« %(value)s » n'est pas une date (écrivez JJ/MM/AAAA)."),
                params={"value": token[:20]},
                code="date",
            )
        if parsed < today:
            raise ValidationError(_("La date %(date)s est déjà passée."), params={"date": token}, code="past")
        if parsed > today + datetime.timedelta(days=horizon_days):
            raise ValidationError(
                _("La date %(date)s est trop lointaine."), params={"date": token}, code="far"
            )
        dates.add(parsed)
    if len(dates) > MAX_UNAVAILABLE_DATES:
        raise ValidationError(
            _("Indiquez au plus %(max)s dates."), params={"max": MAX_UNAVAILABLE_DATES}, code="too_many"
        )
    return sorted(dates)


def format_dates(dates: list[str]) -> str:
    return ", ".join(datetime.date.fromisoformat(d).strftime("%d/%m/%Y") for d in dates)


def country_choices() -> list[tuple[str, Any]]:
    """Nationality choices: the countries' names in the page's language, after an empty choice."""
    from django_countries import countries

    return [("", _("Choisissez un pays")), *list(countries)]


class NameCleaning:
    """Cleaning of the surnames and given-names fields, shared by every form that asks for them."""

    cleaned_data: dict[str, Any]

    def _clean_name(self, name: str) -> str:
        value = clean_text(self.cleaned_data.get(name, ""))
        if value:
            validate_name(value)
        return value

    def clean_surnames(self) -> str:
        return self._clean_name("surnames")

    def clean_given_names(self) -> str:
        return self._clean_name("given_names")


class IdentityCleaning(NameCleaning):
    """Names, date of birth and document numbers: the identity as filed (or as an agent corrects it)."""

    def clean_birth_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["birth_date"]
        validate_birth_date(value)
        return value

    def clean_agdref_number(self) -> str:
        value = normalise_document_number(clean_text(self.cleaned_data.get("agdref_number", "")))
        validate_agdref(value)
        return value

    def clean_passport_number(self) -> str:
        value = normalise_document_number(clean_text(self.cleaned_data.get("passport_number", "")))
        validate_passport(value)
        return value
