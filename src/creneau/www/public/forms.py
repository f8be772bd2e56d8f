"""Applicant forms. They clean and validate; the actions in creneau.booking.actions write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creneau.booking.actions import FilingData
from creneau.booking.languages import INTERPRETER_LANGUAGES
from creneau.booking.models import Language, Procedure, Request, Site
from creneau.www.forms import (
    BaseForm,
    IdentityCleaning,
    NameCleaning,
    clean_text,
    country_choices,
    normalise_phone,
    parse_dates,
)


class SiteChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Site) -> str:
        step_free = _(" — accès de plain-pied") if obj.step_free else ""
        return f"{obj.name} ({obj.full_address}){step_free}"


class PreferencesMixin(forms.Form):
    sites = SiteChoiceField(
        label=_("Lieux d'accueil acceptables"),
        queryset=Site.objects.none(),
        help_text=_(
            "Cochez tous les lieux où vous pouvez vous rendre : plus vous en cochez, plus vite vous "
            "pourrez être servi."
        ),
        error_messages={
            "required": _("Choisissez au moins un lieu d'accueil."),
            "invalid_choice": _("Un des lieux choisis ne traite pas cette démarche."),
            "invalid_pk_value": _("Un des lieux choisis ne traite pas cette démarche."),
        },
    )
    unavailable_dates = forms.CharField(
        label=_("Dates où vous n'êtes pas disponible"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Format JJ/MM/AAAA, séparées par des virgules. Exemple : 24/12/2026, 31/12/2026"),
    )

    def setup_sites(self, procedure: Procedure) -> None:
        field = self.fields["sites"]
        assert isinstance(field, SiteChoiceField)
        field.queryset = procedure.sites.filter(is_active=True).order_by("name")
        field.initial = list(field.queryset)

    def clean_unavailable_dates(self) -> list[datetime.date]:
        return parse_dates(clean_text(self.cleaned_data.get("unavailable_dates", "")))


class FilingForm(IdentityCleaning, PreferencesMixin, BaseForm):
    surnames = forms.CharField(
        label=_("Nom(s) de famille"),
        max_length=100,
        help_text=_("En lettres latines, comme sur votre passeport."),
    )
    given_names = forms.CharField(
        label=_("Prénom(s)"),
        max_length=100,
        required=False,
        help_text=_("Tous vos prénoms, comme sur votre passeport."),
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        help_text=_("Format JJ/MM/AAAA"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"autocomplete": "bday", "inputmode": "numeric"}, format="%d/%m/%Y"),
        error_messages={"invalid": _("Écrivez la date au format JJ/MM/AAAA.")},
    )
    nationality = forms.ChoiceField(label=_("Nationalité"))
    agdref_number = forms.CharField(
        label=_("Numéro étranger (AGDREF)"),
        required=False,
        max_length=20,
        help_text=_(
            "10 chiffres, sur votre titre de séjour ou récépissé. Sinon, indiquez votre numéro de passeport."
        ),
    )
    passport_number = forms.CharField(label=_("Numéro de passeport"), required=False, max_length=30)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Cette adresse électronique n'est pas valide.")},
    )
    phone = forms.CharField(
        label=_("Téléphone mobile"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text=_("Pour recevoir des SMS. Exemple : 06 12 34 56 78 ou +262 692 12 34 56."),
    )
    language = forms.ChoiceField(
        label=_("Langue des messages"), choices=Language.choices, initial="fr", widget=forms.RadioSelect
    )
    permit_expires_on = forms.DateField(
        label=_("Date d'expiration de votre titre de séjour ou récépissé actuel"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        help_text=_(
            "Si vous en avez un. Un titre qui expire bientôt est servi en priorité ; "
            "il sera vérifié au guichet."
        ),
        error_messages={"invalid": _("Écrivez la date au format JJ/MM/AAAA.")},
    )
    step_free_needed = forms.BooleanField(
        label=_("J'ai besoin d'un accès sans marche (fauteuil roulant…)"), required=False
    )
    interpreter_language = forms.ChoiceField(
        label=_("J'ai besoin d'un interprète en"),
        required=False,
        choices=[("", _("Pas besoin d'interprète")), *INTERPRETER_LANGUAGES],
    )
    field_order = [
        "surnames",
        "given_names",
        "birth_date",
        "nationality",
        "agdref_number",
        "passport_number",
        "email",
        "phone",
        "language",
        "permit_expires_on",
        "step_free_needed",
        "interpreter_language",
        "sites",
        "unavailable_dates",
    ]

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        nationality = self.fields["nationality"]
        assert isinstance(nationality, forms.ChoiceField)
        nationality.choices = country_choices()
        self.setup_sites(procedure)

    def clean_phone(self) -> str:
        return normalise_phone(clean_text(self.cleaned_data.get("phone", "")))

    def clean_permit_expires_on(self) -> datetime.date | None:
        value = self.cleaned_data.get("permit_expires_on")
        if value and value > timezone.localdate() + datetime.timedelta(days=3660):
            raise ValidationError(_("Vérifiez cette date."), code="far")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            self.add_error("email", _("Indiquez une adresse électronique ou un numéro de téléphone mobile."))
        if (
            not data.get("agdref_number")
            and not data.get("passport_number")
            and not self.has_error("agdref_number")
            and not self.has_error("passport_number")
        ):
            self.add_error(
                "agdref_number", _("Indiquez votre numéro étranger (AGDREF) ou votre numéro de passeport.")
            )
        return data

    def priority(self) -> int:
        expires = self.cleaned_data.get("permit_expires_on")
        horizon = timezone.localdate() + datetime.timedelta(
            days=self.procedure.prefecture.expiring_permit_days
        )
        if expires and expires <= horizon:
            return Request.Priority.EXPIRING
        return Request.Priority.ORDINARY

    def filing_data(self) -> FilingData:
        d = self.cleaned_data
        return FilingData(
            procedure=self.procedure,
            surnames=d["surnames"],
            given_names=d["given_names"],
            birth_date=d["birth_date"],
            nationality=d["nationality"],
            agdref_number=d["agdref_number"],
            passport_number=d["passport_number"],
            email=d["email"],
            phone=d["phone"],
            language=d["language"],
            step_free_needed=d["step_free_needed"],
            interpreter_language=d["interpreter_language"],
            sites=list(d["sites"]),
            unavailable_dates=d["unavailable_dates"],
            priority=self.priority(),
            permit_expires_on=d.get("permit_expires_on"),
        )


class CodeForm(BaseForm):
    code = forms.CharField(
        label=_("Code reçu"),
        max_length=20,
        help_text=_("6 chiffres"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return clean_text(self.cleaned_data["code"])


class PreferencesForm(PreferencesMixin, BaseForm):
    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_sites(procedure)


class ContactForm(BaseForm):
    email = forms.EmailField(
        label=_("Nouvelle adresse électronique"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Cette adresse électronique n'est pas valide.")},
    )
    phone = forms.CharField(
        label=_("Nouveau téléphone mobile"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalise_phone(clean_text(self.cleaned_data.get("phone", "")))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not data.get("email") and not data.get("phone") and not self.errors:
            raise ValidationError(_("Indiquez une adresse électronique ou un numéro de téléphone mobile."))
        return data


class ResendLinkForm(NameCleaning, BaseForm):
    surnames = forms.CharField(label=_("Nom(s) de famille"), max_length=100)
    given_names = forms.CharField(label=_("Prénom(s)"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        help_text=_("Format JJ/MM/AAAA"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Écrivez la date au format JJ/MM/AAAA.")},
    )
