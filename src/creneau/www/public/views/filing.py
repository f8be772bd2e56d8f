"""Filing a request: the form, the contact check, and the private link again for duplicates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from creneau.booking.actions import (
    ActionError,
    DuplicateActiveRequest,
    do_file_draft,
    do_resend_code,
    do_resend_private_link,
    do_verify_contact,
)
from creneau.booking.models import Procedure
from creneau.booking.workflow import Status
from creneau.ratelimit import hit
from creneau.www.public.forms import CodeForm, FilingForm, ResendLinkForm

from .common import (
    SESSION_DRAFTS,
    SESSION_REQUESTS,
    applicant_actor,
    client_ip,
    forget,
    remember,
    request_in_session,
)


def _procedure(code: str, kind: str) -> Procedure:
    return get_object_or_404(
        Procedure.objects.select_related("prefecture"), prefecture__code=code, kind=kind, is_open=True
    )


@never_cache
@require_http_methods(["GET", "POST"])
def file_request(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    procedure = _procedure(code, kind)
    form = FilingForm(
        request.POST or None, procedure=procedure, initial={"language": (request.LANGUAGE_CODE or "fr")[:2]}
    )
    if request.method == "POST" and not hit("file", client_ip(request) or "-", 60, 3600):
        form.add_error(None, _("Trop de demandes depuis cette connexion. Réessayez dans une heure."))
    elif request.method == "POST" and form.is_valid():
        try:
            filed = do_file_draft(form.filing_data(), applicant_actor(request))
        except DuplicateActiveRequest as exc:
            resend = ResendLinkForm(
                initial={
                    "surnames": form.cleaned_data["surnames"],
                    "given_names": form.cleaned_data["given_names"],
                    "birth_date": form.cleaned_data["birth_date"].strftime("%d/%m/%Y"),
                }
            )
            return render(
                request,
                "public/duplicate.html",
                {"procedure": procedure, "message": exc.message, "form": resend},
                status=409,
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            remember(request, SESSION_DRAFTS, filed.reference)
            return redirect("public:verify", reference=filed.reference)
    return render(
        request,
        "public/file.html",
        {"procedure": procedure, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, reference: str) -> HttpResponse:
    filed = request_in_session(request, SESSION_DRAFTS, reference)
    if filed.status != Status.DRAFT:
        forget(request, SESSION_DRAFTS, reference)
        if filed.status in (Status.PENDING,):
            remember(request, SESSION_REQUESTS, reference)
            return redirect("public:receipt", reference=reference)
        raise Http404
    form = CodeForm(request.POST or None)
    challenge = filed.challenges.filter(used_at__isnull=True).order_by("-created_at").first()
    status = 200
    if request.method == "POST":
        actor = applicant_actor(request, filed)
        if "resend" in request.POST:
            try:
                do_resend_code(filed, actor)
            except ActionError as exc:
                messages.error(request, str(exc.message))
                status = 429
            else:
                messages.success(request, _("Un nouveau code vous a été envoyé."))
            return render(
                request,
                "public/verify.html",
                {"filed": filed, "form": CodeForm(), "challenge": challenge},
                status=status,
            )
        if form.is_valid():
            try:
                do_verify_contact(filed, form.cleaned_data["code"], actor)
            except DuplicateActiveRequest as exc:
                forget(request, SESSION_DRAFTS, reference)
                return render(
                    request,
                    "public/duplicate.html",
                    {"procedure": filed.procedure, "message": exc.message, "form": ResendLinkForm()},
                    status=409,
                )
            except ActionError as exc:
                form.add_error("code", exc.message)
            else:
                forget(request, SESSION_DRAFTS, reference)
                remember(request, SESSION_REQUESTS, reference)
                return redirect("public:receipt", reference=reference)
        status = 400
    return render(
        request, "public/verify.html", {"filed": filed, "form": form, "challenge": challenge}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def resend_link(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    procedure = _procedure(code, kind)
    form = ResendLinkForm(request.POST or None)
    if request.method == "POST" and not hit("resend_link", client_ip(request) or "-", 10, 3600):
        form.add_error(None, _("Trop de demandes depuis cette connexion. Réessayez dans une heure."))
        return render(request, "public/resend_link.html", {"procedure": procedure, "form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        do_resend_private_link(
            procedure, d["surnames"], d["given_names"], d["birth_date"], applicant_actor(request)
        )
        return render(request, "public/link_sent.html", {"procedure": procedure})
    return render(
        request,
        "public/resend_link.html",
        {"procedure": procedure, "form": form},
        status=400 if form.errors else 200,
    )
