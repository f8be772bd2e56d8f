"""Public record of allocation runs: commitments, seeds, digests, and the replayable files."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from creneau.booking.allocation_runs import published_file
from creneau.booking.models import AllocationRun, Batch, Prefecture


@require_GET
@cache_control(public=True, max_age=60)
def runs(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = get_object_or_404(Prefecture, code=code)
    now = timezone.now()
    open_batch = Batch.objects.filter(prefecture=prefecture, opens_at__lte=now, closes_at__gt=now).first()
    recent = (
        AllocationRun.objects.filter(prefecture=prefecture).select_related("batch").order_by("-cutoff")[:100]
    )
    return render(
        request, "public/runs.html", {"prefecture": prefecture, "open_batch": open_batch, "runs": recent}
    )


def _run(code: str, index: int) -> AllocationRun:
    try:
        return AllocationRun.objects.select_related("batch", "prefecture").get(
            prefecture__code=code, batch__index=index
        )
    except AllocationRun.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@cache_control(public=True, max_age=3600)
def run_detail(request: HttpRequest, code: str, index: int) -> HttpResponse:
    run = _run(code, index)
    return render(request, "public/run.html", {"run": run, "prefecture": run.prefecture, "file": run.file})


@require_GET
@cache_control(public=True, max_age=86400)
def run_file(request: HttpRequest, code: str, index: int) -> HttpResponse:
    run = _run(code, index)
    response = HttpResponse(published_file(run), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="creneau-run-{code}-{index}.json"'
    return response
