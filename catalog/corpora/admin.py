"""The back office of corpora: browse frames; queue dataset examples from a corpus."""

from django.contrib import admin, messages

from catalog.atlas.models import Network
from catalog.corpora.dataset_examples import queue_dataset_examples
from catalog.corpora.models import Corpus, Frame, SourceFile
from catalog.queues import RenderingUnavailable


@admin.action(description="Compute dataset examples of every network over the selected corpora")
def compute_dataset_examples(modeladmin, request, queryset):
    networks = list(Network.objects.all())
    if not networks:
        modeladmin.message_user(request, "No network is registered yet.", messages.WARNING)
        return
    try:
        queued = [(n, c) for c in queryset for n in networks if queue_dataset_examples(n, c)]
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    waiting = len(networks) * queryset.count() - len(queued)
    note = f" ({waiting} already queued or running)" if waiting else ""
    modeladmin.message_user(request, f"Queued {len(queued)} dataset-example job(s){note}.")


class SourceFileInline(admin.TabularInline):
    model = SourceFile
    fields = ("path", "frames_added", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin):
    list_display = ("name", "folder", "created_at")
    readonly_fields = ("created_at",)
    inlines = [SourceFileInline]
    actions = [compute_dataset_examples]


@admin.register(Frame)
class FrameAdmin(admin.ModelAdmin):
    list_display = ("__str__", "scene_cut", "subtitle")
    list_filter = ("corpus", "scene_cut")
    search_fields = ("source", "subtitle")
    readonly_fields = ("phash", "width", "height", "created_at")
