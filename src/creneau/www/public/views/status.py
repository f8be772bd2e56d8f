"""The applicant's own pages, reached through the private link: status, receipt, changes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from creneau.booking.actions import (
    ActionError,
    do_cancel_by_applicant,
    do_confirm,
    do_confirm_contact_change,
    do_decline,
    do_reactivate,
    do_request_contact_change,
    do_update_preferences,
    do_withdraw,
)
from creneau.booking.links import check_private_token
from creneau.booking.models import ContactChallenge, Request
from creneau.booking.queries import queue_position, request_history
from creneau.booking.workflow import ACTIVE
from creneau.proofs.receipt import receipt_context, render_receipt_pdf
from creneau.www.forms import format_dates
from creneau.www.public.forms import CodeForm, ContactForm, PreferencesForm

from .common import SESSION_REQUESTS, applicant_actor, remember, request_in_session


@never_cache
@require_GET
def status_entry(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The private link: checks the secret, opens this browser's access, and drops the secret from the URL."""
    found = Request.objects.filter(reference=reference).only("reference", "link_nonce").first()
    if found is None or not check_private_token(found.reference, found.link_nonce, token):
        return render(request, "public/link_invalid.html", status=404)
    request.session.cycle_key()
    remember(request, SESSION_REQUESTS, reference)
    return redirect("public:status", reference=reference)


def _status_context(filed: Request, **forms: object) -> dict[str, object]:
    return {
        "filed": filed,
        "position": queue_position(filed),
        "history": request_history(filed),
        "offers": filed.offers.select_related("slot__site").order_by("-created_at"),
        "live_offer": filed.offers.filter(status__in=["offered", "confirmed"])
        .select_related("slot__site")
        .first(),
        "is_active": filed.status in ACTIVE,
        "sites": filed.sites.order_by("name"),
        "unavailable": format_dates(filed.unavailable_dates),
        "pending_contact": filed.challenges.filter(
            purpose=ContactChallenge.Purpose.CONTACT_CHANGE, used_at__isnull=True
        ).first(),
        "preferences_form": forms.get("preferences_form")
        or PreferencesForm(
            procedure=filed.procedure,
            initial={
                "sites": list(filed.sites.all()),
                "unavailable_dates": format_dates(filed.unavailable_dates),
            },
        ),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "code_form": forms.get("code_form") or CodeForm(),
    }


@never_cache
@require_GET
def status(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    return render(request, "public/status.html", _status_context(filed))


@never_cache
@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    if filed.batch is None:
        raise Http404
    return render(request, "public/receipt.html", {"filed": filed, **receipt_context(filed)})


@never_cache
@require_GET
def receipt_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    if filed.batch is None:
        raise Http404
    response = HttpResponse(render_receipt_pdf(filed), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="creneau-accuse-reception-{filed.reference}.pdf"'
    return response


@never_cache
@require_POST
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Cochez la case pour confirmer le retrait de votre demande."))
        return render(request, "public/status.html", _status_context(filed), status=400)
    try:
        do_withdraw(filed, applicant_actor(request, filed))
    except ActionError as exc:
        messages.error(request, str(exc.message))
        return render(request, "public/status.html", _status_context(filed), status=409)
    messages.success(request, _("Votre demande a été retirée."))
    return redirect("public:status", reference=reference)


@never_cache
@require_POST
def preferences(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    form = PreferencesForm(request.POST, procedure=filed.procedure)
    if form.is_valid():
        try:
            do_update_preferences(
                filed,
                list(form.cleaned_data["sites"]),
                form.cleaned_data["unavailable_dates"],
                applicant_actor(request, filed),
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Vos préférences ont été enregistrées."))
            return redirect("public:status", reference=reference)
    return render(request, "public/status.html", _status_context(filed, preferences_form=form), status=400)


@never_cache
@require_POST
def contact(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            do_request_contact_change(
                filed, form.cleaned_data["email"], form.cleaned_data["phone"], applicant_actor(request, filed)
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Un code a été envoyé à vos nouvelles coordonnées. Saisissez-le ci-dessous.")
            )
            return redirect("public:status", reference=reference)
    return render(request, "public/status.html", _status_context(filed, contact_form=form), status=400)


@never_cache
@require_POST
def contact_verify(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            do_confirm_contact_change(filed, form.cleaned_data["code"], applicant_actor(request, filed))
        except ActionError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("Vos coordonnées ont été changées."))
            return redirect("public:status", reference=reference)
    return render(request, "public/status.html", _status_context(filed, code_form=form), status=400)


def _offer_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    actor = applicant_actor(request, filed)
    try:
        if action == "confirm":
            do_confirm(filed, actor)
            done = _("Votre rendez-vous est confirmé. Téléchargez votre convocation ci-dessous.")
        elif action == "decline":
            do_decline(filed, request.POST.get("reason", "")[:200], actor)
            done = _("Vous avez refusé ce rendez-vous. Votre demande garde sa place dans la file.")
        elif action == "cancel":
            if request.POST.get("confirm") != "yes":
                raise ActionError(_("Cochez la case pour confirmer l'annulation du rendez-vous."))
            do_cancel_by_applicant(filed, actor)
            done = _("Votre rendez-vous est annulé.")
        else:
            do_reactivate(filed, actor)
            done = _("Votre demande est réactivée : elle a retrouvé sa place dans la file.")
    except ActionError as exc:
        messages.error(request, str(exc.message))
        filed.refresh_from_db()
        return render(request, "public/status.html", _status_context(filed), status=409)
    messages.success(request, done)
    return redirect("public:status", reference=reference)


@never_cache
@require_POST
def offer_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    return _offer_action(request, reference, "confirm")


@never_cache
@require_POST
def offer_decline(request: HttpRequest, reference: str) -> HttpResponse:
    return _offer_action(request, reference, "decline")


@never_cache
@require_POST
def appointment_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    return _offer_action(request, reference, "cancel")


@never_cache
@require_POST
def reactivate(request: HttpRequest, reference: str) -> HttpResponse:
    return _offer_action(request, reference, "reactivate")
