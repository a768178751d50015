"""The back office of relations: queue circuits of a network over a corpus; see how far
each layer pair has read."""

from django.contrib import admin, messages

from catalog.atlas.admin import NetworkAdmin
from catalog.corpora.models import Corpus
from catalog.corpora.samples import SAMPLE_CORPUS
from catalog.queues import RenderingUnavailable
from catalog.relations.circuits import queue_circuits
from catalog.relations.models import CircuitScan


@admin.action(description="Compute circuits over every corpus (the sample corpus first)")
def compute_circuits(modeladmin, request, queryset):
    corpora = sorted(Corpus.objects.all(), key=lambda c: (c.name != SAMPLE_CORPUS, c.name))
    if not corpora:
        modeladmin.message_user(
            request,
            "No corpus yet: add one (python manage.py add_sample_corpus).",
            messages.WARNING,
        )
        return
    try:
        queued = [(n, c) for n in queryset for c in corpora if queue_circuits(n, c)]
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    waiting = queryset.count() * len(corpora) - len(queued)
    note = f" ({waiting} already queued or running)" if waiting else ""
    modeladmin.message_user(request, f"Queued {len(queued)} circuit job(s){note}.")


NetworkAdmin.actions = [*NetworkAdmin.actions, compute_circuits]


@admin.register(CircuitScan)
class CircuitScanAdmin(admin.ModelAdmin):
    list_display = ("__str__", "frames_read", "top", "updated_at")
    list_filter = ("corpus", "target__network")
    fields = ("corpus", "source", "target", "frames_read", "top", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description="frames read")
    def frames_read(self, scan) -> int:
        return len(scan.frame_ids)
