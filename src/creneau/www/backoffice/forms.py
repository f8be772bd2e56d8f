"""Back-office forms: they clean input; the actions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from creneau.accounts.models import Organisation, Role
from creneau.accounts.roles import GRANTABLE_BY_MANAGER
from creneau.booking.actions.backoffice import SiteData, TemplateData
from creneau.booking.languages import INTERPRETER_LANGUAGES
from creneau.booking.models import Desk, Prefecture, Procedure, Site
from creneau.www.forms import (
    BaseForm,
    IdentityCleaning,
    clean_text,
    country_choices,
)
from creneau.www.public.forms import FilingForm

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
TIME_FORMATS = ["%H:%M", "%Hh%M", "%H.%M", "%Hh"]
DATE_ERROR = {"invalid": _("Écrivez la date au format JJ/MM/AAAA.")}
TIME_ERROR = {"invalid": _("Écrivez l'heure au format HH:MM, par exemple 08:30.")}
WEEKDAYS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


def _date_field(label: Any, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERROR,
        help_text=kwargs.pop("help_text", _("Format JJ/MM/AAAA")),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}),
        **kwargs,
    )


def _time_field(label: Any, required: bool = True, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=TIME_FORMATS,
        error_messages=TIME_ERROR,
        help_text=kwargs.pop("help_text", _("Format HH:MM")),
        widget=forms.TimeInput(format="%H:%M"),
        **kwargs,
    )


class TextMixin:
    """Every text field: control characters refused, spaces collapsed."""

    def _post_clean_text(self, names: list[str]) -> None:
        for name in names:
            if name in self.cleaned_data and isinstance(self.cleaned_data[name], str):  # type: ignore[attr-defined]
                try:
                    self.cleaned_data[name] = clean_text(self.cleaned_data[name])  # type: ignore[attr-defined]
                except ValidationError as exc:
                    self.add_error(name, exc)  # type: ignore[attr-defined]


# --- Login ----------------------------------------------------------------------------------------


class LoginForm(BaseForm):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(BaseForm):
    code = forms.CharField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return clean_text(self.cleaned_data["code"])


class PasswordChangeForm(BaseForm):
    old_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Au moins 12 caractères. Une phrase de plusieurs mots est un bon choix ; les mots de passe "
            "courants ou ayant fuité sont refusés."
        ),
    )


# --- Sites, desks, templates, closures, slots ----------------------------------------------------


class SiteForm(TextMixin, BaseForm):
    name = forms.CharField(label=_("Nom du site"), max_length=120)
    address = forms.CharField(label=_("Adresse"), max_length=200)
    postcode = forms.RegexField(
        label=_("Code postal"),
        regex=r"^\d{5}$",
        max_length=10,
        error_messages={"invalid": _("Le code postal compte 5 chiffres.")},
    )
    city = forms.CharField(label=_("Commune"), max_length=80)
    step_free = forms.BooleanField(label=_("Accès de plain-pied (fauteuil roulant)"), required=False)
    accessibility = forms.CharField(
        label=_("Accessibilité"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que les demandeurs doivent savoir : ascenseur, boucle magnétique, places réservées…"),
    )
    access_info = forms.CharField(
        label=_("Comment venir"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Site en service"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        self._post_clean_text(["name", "address", "city", "accessibility", "access_info"])
        return data

    @classmethod
    def initial_for(cls, site: Site) -> dict[str, Any]:
        return {
            "name": site.name,
            "address": site.address,
            "postcode": site.postcode,
            "city": site.city,
            "step_free": site.step_free,
            "is_active": site.is_active,
            "accessibility": (site.accessibility or {}).get("fr", ""),
            "access_info": (site.access_info or {}).get("fr", ""),
        }

    def site_data(self) -> SiteData:
        return SiteData(**self.cleaned_data)


class ProcedureChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Procedure) -> str:
        return _("%(name)s (%(minutes)s min)") % {
            "name": obj.get_kind_display(),
            "minutes": obj.duration_minutes,
        }


class DeskForm(TextMixin, BaseForm):
    name = forms.CharField(label=_("Nom du guichet"), max_length=60)
    procedures = ProcedureChoiceField(
        label=_("Démarches traitées à ce guichet"), queryset=Procedure.objects.none(), required=False
    )
    is_active = forms.BooleanField(label=_("Guichet en service"), required=False, initial=True)

    def __init__(self, *args: Any, prefecture: Prefecture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedures"].queryset = Procedure.objects.filter(prefecture=prefecture)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        self._post_clean_text(["name"])
        return data


class TemplateForm(BaseForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un jour de la semaine.")},
    )
    start_time = _time_field(_("Ouverture"))
    end_time = _time_field(_("Fermeture"))
    break_start = _time_field(_("Début de la pause"), required=False)
    break_end = _time_field(_("Fin de la pause"), required=False)
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un rendez-vous (minutes)"), min_value=5, max_value=240, initial=30
    )
    procedures = ProcedureChoiceField(
        label=_("Démarches"),
        queryset=Procedure.objects.none(),
        error_messages={"required": _("Choisissez au moins une démarche.")},
    )
    interpreter_languages = forms.MultipleChoiceField(
        label=_("Interprète présent"),
        required=False,
        choices=INTERPRETER_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = _date_field(_("Valable à partir du"), required=False)
    valid_until = _date_field(_("Valable jusqu'au"), required=False)

    def __init__(self, *args: Any, desk: Desk, single_day: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedures"].queryset = desk.procedures.all()
        if single_day:
            self.fields["weekdays"] = forms.TypedChoiceField(label=_("Jour"), choices=WEEKDAYS, coerce=int)

    def template_data(self) -> TemplateData:
        d = self.cleaned_data
        weekdays = d["weekdays"] if isinstance(d["weekdays"], list) else [d["weekdays"]]
        return TemplateData(
            weekdays=weekdays,
            start_time=d["start_time"],
            end_time=d["end_time"],
            slot_minutes=d["slot_minutes"],
            procedures=list(d["procedures"]),
            break_start=d.get("break_start"),
            break_end=d.get("break_end"),
            interpreter_languages=list(d.get("interpreter_languages") or []),
            valid_from=d.get("valid_from"),
            valid_until=d.get("valid_until"),
        )


class ClosureForm(TextMixin, BaseForm):
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        error_messages={"invalid_choice": _("Choisissez un site de la liste.")},
    )
    desk = forms.ModelChoiceField(
        label=_("Guichet"),
        queryset=Desk.objects.none(),
        required=False,
        empty_label=_("Tout le site"),
        error_messages={"invalid_choice": _("Choisissez un guichet de la liste.")},
    )
    start_date = _date_field(_("Premier jour fermé"))
    end_date = _date_field(
        _("Dernier jour fermé"), help_text=_("Format JJ/MM/AAAA. Le même jour pour un seul jour.")
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=200,
        help_text=_("Communiqué aux demandeurs dont le rendez-vous est annulé."),
    )

    def __init__(self, *args: Any, prefecture: Prefecture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(prefecture=prefecture)
        self.fields["desk"].queryset = Desk.objects.filter(site__prefecture=prefecture).select_related("site")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        self._post_clean_text(["reason"])
        desk, site = data.get("desk"), data.get("site")
        if desk is not None and site is not None and desk.site_id != site.pk:
            self.add_error("desk", _("Ce guichet n'appartient pas au site choisi."))
        return data


class GenerateSlotsForm(BaseForm):
    weeks = forms.IntegerField(
        label=_("Nombre de semaines à ouvrir"),
        min_value=1,
        max_value=26,
        initial=8,
        help_text=_(
            "À partir de demain. Les jours fériés et les fermetures sont sautés ; "
            "les créneaux déjà créés ne sont pas recréés."
        ),
    )


class DayForm(forms.Form):
    date = forms.DateField(input_formats=DATE_FORMATS, required=False)


# --- Counter route, search, identity -------------------------------------------------------------


class CounterFilingForm(FilingForm):
    """The applicant's own form, with the contact optional and the agent's identity attestation."""

    identity_seen = forms.BooleanField(
        label=_(
            "J'atteste avoir vu l'original d'une pièce d'identité du demandeur "
            "correspondant à ces informations"
        ),
        error_messages={"required": _("L'attestation de vérification d'identité est obligatoire.")},
    )
    document_seen = forms.CharField(
        label=_("Pièce vue"),
        max_length=100,
        help_text=_("Par exemple : passeport sénégalais n° A1234567, titre de séjour…"),
    )

    def clean(self) -> dict[str, Any]:
        forms.Form.clean(self)
        data: dict[str, Any] = self.cleaned_data
        if (
            not data.get("agdref_number")
            and not data.get("passport_number")
            and not self.has_error("agdref_number")
            and not self.has_error("passport_number")
        ):
            self.add_error(
                "agdref_number", _("Indiquez le numéro étranger (AGDREF) ou le numéro de passeport.")
            )
        if "document_seen" in data:
            try:
                data["document_seen"] = clean_text(data["document_seen"])
            except ValidationError as exc:
                self.add_error("document_seen", exc)
        return data

    def attestation(self) -> str:
        return str(
            _("Identité vérifiée au guichet sur présentation de : %(doc)s")
            % {"doc": self.cleaned_data["document_seen"]}
        )


class SearchForm(forms.Form):
    reference = forms.CharField(label=_("Référence"), required=False, max_length=20)
    surnames = forms.CharField(label=_("Nom(s)"), required=False, max_length=100)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERROR,
        help_text=_("Format JJ/MM/AAAA"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        for name in ("reference", "surnames"):
            if name in data:
                try:
                    data[name] = clean_text(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        if (
            not self.errors
            and not data.get("reference")
            and not (data.get("surnames") and data.get("birth_date"))
        ):
            raise ValidationError(_("Indiquez une référence, ou un nom et une date de naissance."))
        return data


class IdentityForm(IdentityCleaning, BaseForm):
    surnames = forms.CharField(label=_("Nom(s) de famille"), max_length=100)
    given_names = forms.CharField(label=_("Prénom(s)"), max_length=100, required=False)
    birth_date = _date_field(_("Date de naissance"))
    nationality = forms.ChoiceField(label=_("Nationalité"))
    agdref_number = forms.CharField(label=_("Numéro étranger (AGDREF)"), required=False, max_length=20)
    passport_number = forms.CharField(label=_("Numéro de passeport"), required=False, max_length=30)
    reason = forms.CharField(
        label=_("Motif de la correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple : faute de frappe constatée sur le passeport présenté."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = country_choices()

    def clean_reason(self) -> str:
        return clean_text(self.cleaned_data["reason"])

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


# --- Accounts -------------------------------------------------------------------------------------


class AccountForm(TextMixin, BaseForm):
    username = forms.RegexField(
        label=_("Identifiant"),
        max_length=150,
        regex=r"^[a-z0-9._-]{3,150}$",
        help_text=_("Lettres minuscules, chiffres, points, tirets. Par exemple : prenom.nom"),
        error_messages={
            "invalid": _("Lettres minuscules, chiffres, points et tirets seulement (3 au moins).")
        },
    )
    email = forms.EmailField(
        label=_("Adresse électronique professionnelle"),
        max_length=254,
        error_messages={"invalid": _("Cette adresse électronique n'est pas valide.")},
    )
    role = forms.ChoiceField(label=_("Rôle"), widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        label=_("Structure (pour un aidant)"),
        required=False,
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": _("Choisissez une structure de la liste.")},
    )
    password = forms.CharField(
        label=_("Mot de passe initial"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Au moins 12 caractères, à transmettre à la personne par un autre moyen. Elle configurera "
            "sa double authentification à la première connexion."
        ),
    )

    def __init__(self, *args: Any, prefecture: Prefecture, national: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = Role.choices if national else [(r.value, r.label) for r in GRANTABLE_BY_MANAGER]
        self.fields["role"].choices = roles
        self.fields["organisation"].queryset = Organisation.objects.filter(
            prefectures=prefecture, is_active=True
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        if (
            data.get("role") == Role.HELPER
            and not data.get("organisation")
            and not self.has_error("organisation")
        ):
            self.add_error("organisation", _("Un aidant doit appartenir à une structure habilitée."))
        return data


class OrganisationForm(TextMixin, BaseForm):
    name = forms.CharField(label=_("Nom de la structure"), max_length=160)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        initial=Organisation.Kind.ASSOCIATION,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        self._post_clean_text(["name"])
        data: dict[str, Any] = self.cleaned_data
        return data
