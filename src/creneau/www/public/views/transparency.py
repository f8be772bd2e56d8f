"""Proof of waiting and transparency: the applicant's attestation, its public check, statistics, open data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import formats
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from creneau import ratelimit
from creneau.booking.models import Prefecture, Procedure
from creneau.proofs.attestation import ATTESTATION_TYP, do_issue_attestation, newer_than, normalise_code
from creneau.proofs.attestation_render import render_attestation_pdf
from creneau.proofs.models import Attestation
from creneau.proofs.verification import check
from creneau.stats.aggregates import ALL, METRICS, aggregates_for
from creneau.stats.backlog import pending_at_week_ends
from creneau.stats.charts import bar_chart
from creneau.stats.models import DailyHead
from creneau.stats.opendata import DAILY_HEADER, HEADS_HEADER, daily_json, daily_rows, heads_rows, to_csv
from creneau.stats.privacy import MIN_CELL

from .common import SESSION_REQUESTS, applicant_actor, client_ip, request_in_session

PUBLIC_MAX_AGE = 600
METRIC_LABELS = {
    "slots_published": _("Créneaux publiés"),
    "filed": _("Demandes déposées"),
    "filed_counter": _("Demandes déposées au guichet"),
    "filed_helper": _("Demandes déposées par un aidant habilité"),
    "allocated": _("Rendez-vous attribués"),
    "confirmed": _("Rendez-vous confirmés"),
    "declined": _("Propositions refusées"),
    "lapsed": _("Propositions expirées sans réponse"),
    "attended": _("Personnes reçues"),
    "no_show": _("Absences au rendez-vous"),
}
CODE_LOOKUPS_PER_HOUR = 60


# --- Attestation of waiting -------------------------------------------------------------------------


@never_cache
@require_GET
def attestation_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """Issue a new attestation for the applicant's request and send it as a PDF."""
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    if filed.batch is None:
        raise Http404
    attestation = do_issue_attestation(filed, applicant_actor(request, filed))
    response = HttpResponse(render_attestation_pdf(attestation), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="creneau-attestation-{attestation.code}.pdf"'
    return response


@never_cache
@require_GET
def attestation_jws(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    """The signed token of one of the applicant's attestations, as a file for offline verification."""
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    attestation = get_object_or_404(Attestation, code=normalise_code(code), request=filed)
    response = HttpResponse(attestation.token, content_type="application/jose")
    response["Content-Disposition"] = f'attachment; filename="creneau-attestation-{attestation.code}.jws"'
    return response


@require_GET
def attestation_check(request: HttpRequest, code: str = "") -> HttpResponse:
    """Anyone with an attestation's code (typed, or from its QR code) sees whether it is genuine and what
    it certified, and whether a newer one exists. Nothing else about the request is shown."""
    code = normalise_code(code or request.GET.get("code", ""))[:20]
    outcome, newer, status = None, None, 200
    if code:
        if not ratelimit.hit("attestation_code", client_ip(request) or "-", CODE_LOOKUPS_PER_HOUR, 3600):
            status = 429
        else:
            attestation = Attestation.objects.filter(code=code).first()
            if attestation is None:
                status = 404
            else:
                outcome = check(attestation.token, expected_typ=ATTESTATION_TYP)
                later = newer_than(attestation) if outcome.ok else None
                newer = formats.date_format(later.issued_at, "DATE_FORMAT") if later else None
    response = render(
        request,
        "public/attestation_check.html",
        {"code": code, "outcome": outcome, "newer": newer, "http_status": status},
        status=status,
    )
    # It names the applicant: never kept in a shared cache, never sent on as a referrer.
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Statistics -------------------------------------------------------------------------------------


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@require_GET
def stats_index(request: HttpRequest) -> HttpResponse:
    prefectures = []
    for prefecture in Prefecture.objects.order_by("code"):
        data = aggregates_for(prefecture, weeks=1)
        prefectures.append({"prefecture": prefecture, "all": data.current[0]})
    heads = DailyHead.objects.order_by("-day", "chain")[:14]
    return render(
        request,
        "public/stats_index.html",
        {
            "prefectures": prefectures,
            "heads": heads,
            "min_cell": MIN_CELL,
        },
    )


@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@require_GET
def stats_prefecture(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = get_object_or_404(Prefecture, code=code)
    data = aggregates_for(prefecture)
    kind = request.GET.get("demarche", ALL)
    if kind != ALL and kind not in data.kinds:
        raise Http404
    backlog = pending_at_week_ends(prefecture, data.week_list, data.kinds)
    charts = [
        {
            "metric": "pending",
            "chart": bar_chart(
                str(_("Demandes en attente en fin de semaine")),
                [(formats.date_format(w, "SHORT_DATE_FORMAT"), backlog[(kind, w)]) for w in data.week_list],
            ),
        }
    ]
    for metric in METRICS:
        points = [
            (formats.date_format(week, "SHORT_DATE_FORMAT"), data.weeks[(metric, kind, week)])
            for week in data.week_list
        ]
        charts.append({"metric": metric, "chart": bar_chart(str(METRIC_LABELS[metric]), points)})
    procedures = [(ALL, _("Toutes les démarches"))] + [(k, Procedure.Kind(k).label) for k in data.kinds]
    return render(
        request,
        "public/stats_prefecture.html",
        {
            "prefecture": prefecture,
            "current": data.current,
            "charts": charts,
            "kind": kind,
            "procedures": procedures,
            "procedure_names": dict(procedures),
            "min_cell": MIN_CELL,
        },
    )


def _open_data_response(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_GET
def open_data_daily_csv(request: HttpRequest) -> HttpResponse:
    body = to_csv(DAILY_HEADER, daily_rows())
    return _open_data_response(
        HttpResponse(body, content_type="text/csv; charset=utf-8"), "creneau-quotidien.csv"
    )


@require_GET
def open_data_daily_json(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(daily_json(), json_dumps_params={"ensure_ascii": False})
    return _open_data_response(response, "creneau-quotidien.json")


@require_GET
def open_data_heads_csv(request: HttpRequest) -> HttpResponse:
    body = to_csv(HEADS_HEADER, heads_rows())
    return _open_data_response(
        HttpResponse(body, content_type="text/csv; charset=utf-8"), "creneau-empreintes-journal.csv"
    )
