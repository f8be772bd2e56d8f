"""The counter route: file for an applicant, search requests, correct an identity, print the receipt."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from creneau.accounts import roles
from creneau.accounts.actions import do_file_for_applicant
from creneau.accounts.models import HelperFiling, Role
from creneau.booking.actions import ActionError, DuplicateActiveRequest
from creneau.booking.actions.backoffice import do_correct_identity
from creneau.booking.models import Prefecture, Procedure, Request
from creneau.identity.normalise import fold
from creneau.proofs.receipt import render_receipt_pdf

from ..access import actor_for, profile, refuse, scoped, staff_view
from ..forms import CounterFilingForm, IdentityForm, SearchForm

MAX_RESULTS = 50


@staff_view(roles.FILE_FOR_APPLICANT)
def counter(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    return render(
        request,
        "backoffice/counter.html",
        {
            "prefecture": prefecture,
            "procedures": Procedure.objects.filter(prefecture=prefecture, is_open=True),
        },
    )


@staff_view(roles.FILE_FOR_APPLICANT, methods=("GET", "POST"))
def counter_file(request: HttpRequest, prefecture: Prefecture, kind: str) -> HttpResponse:
    procedure = Procedure.objects.filter(prefecture=prefecture, kind=kind, is_open=True).first()
    if procedure is None:
        raise Http404
    form = CounterFilingForm(request.POST or None, procedure=procedure, initial={"language": "fr"})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            filed = do_file_for_applicant(
                form.filing_data(),
                actor_for(request),
                profile=profile(request),
                attestation=form.attestation(),
            )
        except DuplicateActiveRequest as exc:
            form.add_error(None, exc.message)
            status = 409
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Demande enregistrée : %(ref)s. "
                    "Imprimez l’accusé de réception et remettez-le au demandeur."
                )
                % {"ref": filed.reference},
            )
            return redirect("backoffice:request", code=prefecture.code, reference=filed.reference)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "backoffice/counter_file.html",
        {"prefecture": prefecture, "procedure": procedure, "form": form},
        status=status,
    )


def _visible_request(request: HttpRequest, prefecture: Prefecture, reference: str) -> Request:
    """The request, within the prefecture; a helper sees only their organisation's filings."""
    found: Request = scoped(
        request,
        Request.objects.select_related("applicant", "procedure", "prefecture", "batch"),
        prefecture,
        "prefecture",
        "request",
        reference=reference,
    )
    me = profile(request)
    if me.role == Role.HELPER:
        org = me.organisation_id or 0
        if not HelperFiling.objects.filter(request=found, organisation_id=org).exists():
            refuse(request, "request", reference, prefecture.code)
    elif not roles.can(me, roles.SEARCH_REQUESTS):
        raise Http404
    return found


@staff_view(roles.SEARCH_REQUESTS)
def search(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        qs = Request.objects.filter(prefecture=prefecture).select_related("applicant", "procedure")
        if d.get("reference"):
            qs = qs.filter(reference=d["reference"].upper().replace(" ", ""))
        if d.get("surnames") and d.get("birth_date"):
            qs = qs.filter(applicant__birth_date=d["birth_date"])
            qs = qs.filter(identity_key__startswith=f"{fold(d['surnames'])}|")
        results = list(qs.order_by("-created_at")[:MAX_RESULTS])
    return render(
        request,
        "backoffice/search.html",
        {"prefecture": prefecture, "form": form, "results": results},
        status=400 if form.errors else 200,
    )


@staff_view()
def request_detail(request: HttpRequest, prefecture: Prefecture, reference: str) -> HttpResponse:
    found = _visible_request(request, prefecture, reference)
    me = profile(request)
    return render(
        request,
        "backoffice/request.html",
        {
            "prefecture": prefecture,
            "filed": found,
            "offers": found.offers.select_related("slot__site", "slot__desk").order_by("-created_at"),
            "can_correct": roles.can(me, roles.CORRECT_IDENTITY),
            "helper_filing": HelperFiling.objects.filter(request=found)
            .select_related("organisation")
            .first(),
        },
    )


@staff_view()
def receipt_pdf(request: HttpRequest, prefecture: Prefecture, reference: str) -> HttpResponse:
    found = _visible_request(request, prefecture, reference)
    if found.batch_id is None:
        raise Http404
    response = HttpResponse(render_receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="creneau-accuse-reception-{found.reference}.pdf"'
    return response


@staff_view(roles.CORRECT_IDENTITY, methods=("GET", "POST"))
def identity(request: HttpRequest, prefecture: Prefecture, reference: str) -> HttpResponse:
    found = _visible_request(request, prefecture, reference)
    a = found.applicant
    form = IdentityForm(
        request.POST or None,
        initial={
            "surnames": a.surnames,
            "given_names": a.given_names,
            "birth_date": a.birth_date,
            "nationality": a.nationality.code,
            "agdref_number": a.agdref_number,
            "passport_number": a.passport_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_correct_identity(found, form.changes(), form.cleaned_data["reason"], actor_for(request))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Identité corrigée."))
            return redirect("backoffice:request", code=prefecture.code, reference=found.reference)
    return render(
        request,
        "backoffice/form.html",
        {
            "prefecture": prefecture,
            "form": form,
            "title": _("Corriger l'identité — %(ref)s") % {"ref": found.reference},
            "intro": _(
                "Seulement pour corriger une erreur de saisie, au vu d'une pièce d'identité. "
                "La correction et son "
                "motif sont journalisés."
            ),
            "submit": _("Enregistrer la correction"),
            "back": f"/agents/{prefecture.code}/demandes/{found.reference}/",
        },
        status=400 if form.errors else 200,
    )
