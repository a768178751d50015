"""Batch renders for admins: the list, a batch's progress, cancel and retry."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.atlas import batches
from catalog.atlas.models import BatchRender
from catalog.people import admin_required
from catalog.queues import RenderingUnavailable


@admin_required
def batch_list(request):
    recent = BatchRender.objects.select_related("network", "created_by")[:50]
    rows = [(batch, batch.progress_dict()) for batch in recent]
    return render(request, "atlas/batches.html", {"rows": rows})


@admin_required
def batch_detail(request, batch_id):
    batch = get_object_or_404(BatchRender.objects.select_related("network"), id=batch_id)
    context = {"batch": batch, "progress": batch.progress_dict(), "layers": batch.layer_counts()}
    return render(request, "atlas/batch.html", context)


@admin_required
def batch_status(request, batch_id):
    batch = get_object_or_404(BatchRender, id=batch_id)
    return JsonResponse({**batch.progress_dict(), "layers": batch.layer_counts()})


@require_POST
@admin_required
def batch_cancel(request, batch_id):
    batch = get_object_or_404(BatchRender, id=batch_id)
    batch.cancel()
    return redirect(batch)


@require_POST
@admin_required
def batch_retry(request, batch_id):
    batch = get_object_or_404(BatchRender, id=batch_id)
    try:
        batches.retry_batch(batch)
    except RenderingUnavailable as exc:
        BatchRender.objects.filter(id=batch.id).update(error=str(exc))
    return redirect(batch)
