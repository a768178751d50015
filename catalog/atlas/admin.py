"""The atlas's back office: networks, layers, channels, stills and batch renders, with
"render", "batch render" and "retry failed" actions."""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils.html import format_html

from catalog.atlas import batches
from catalog.atlas.forms import NetworkForm
from catalog.atlas.jobs import queue_render_for, recover_stills
from catalog.atlas.models import BatchRender, Channel, Layer, Network, Still
from catalog.atlas.registration import register_network
from catalog.queues import RenderingUnavailable


def _queue(modeladmin, request, stills) -> None:
    try:
        queued = queue_render_for(stills)
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, f"Queued {len(queued)} still(s) for rendering.")


def _default_stills(channels):
    return [channel.still_for(channel.spec()) for channel in channels]


@admin.action(description="Render the default still of the selected channels")
def render_channels(modeladmin, request, queryset):
    _queue(modeladmin, request, _default_stills(queryset.select_related("layer__network")))


@admin.action(description="Render the selected stills")
def render_stills(modeladmin, request, queryset):
    _queue(modeladmin, request, list(queryset))


@admin.action(description="Retry the selected failed stills")
def retry_failed(modeladmin, request, queryset):
    stills = [still for still in queryset.filter(status=Still.FAILED) if still.reset_for_retry()]
    _queue(modeladmin, request, stills)


@admin.action(description="Retry the selected stale running stills (their render died)")
def retry_stale(modeladmin, request, queryset):
    stale = queryset.stale(settings.ATLAS_STALE_AFTER)
    queued, failed = recover_stills(stale, "reset by an admin")
    modeladmin.message_user(request, f"Queued {queued} stale still(s) again; {failed} failed.")


def _start_batches(modeladmin, request, layers_by_network):
    started = []
    try:
        for network, layers in layers_by_network:
            started.append(batches.start_batch(network, layers, created_by=request.user))
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return None
    for batch in started:
        modeladmin.message_user(request, f"Started {batch}: its stills are being queued.")
    return redirect(started[0]) if len(started) == 1 else redirect("batches")


@admin.action(description="Batch render the selected layers (progress page)")
def batch_render_layers(modeladmin, request, queryset):
    by_network = {}
    for layer in queryset.select_related("network").order_by("network", "position"):
        by_network.setdefault(layer.network, []).append(layer)
    return _start_batches(modeladmin, request, by_network.items())


@admin.action(description="Batch render every layer of the selected networks")
def batch_render_networks(modeladmin, request, queryset):
    return _start_batches(modeladmin, request, [(network, None) for network in queryset])


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    """Adding or saving a network registers it: it is loaded, and its layers stored."""

    form = NetworkForm
    list_display = ["name", "arch", "weight_hash", "created"]
    search_fields = ["name"]
    readonly_fields = ["weight_hash", "created"]
    actions = [batch_render_networks]

    def save_model(self, request, obj, form, change):
        registered = register_network(
            obj.name,
            weights=obj.weights or None,
            arch=obj.arch or None,
            labels=obj.labels_file or None,
            loaded=form.loaded,
        )
        obj.pk, obj.weight_hash, obj.created = (
            registered.pk,
            registered.weight_hash,
            registered.created,
        )


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "position", "channel_count", "rendered", "kind"]
    list_filter = ["network", "kind"]
    actions = [batch_render_layers]

    def get_queryset(self, request):
        done = Q(channels__stills__is_default=True, channels__stills__status=Still.DONE)
        return super().get_queryset(request).annotate(rendered_count=Count("channels", filter=done))

    @admin.display(description="rendered", ordering="rendered_count")
    def rendered(self, layer) -> str:
        return f"{layer.rendered_count} of {layer.channel_count}"


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "label"]
    list_filter = ["layer__network", "layer"]
    search_fields = ["label", "layer__name"]
    actions = [render_channels]  # and cinema's render_previews (catalog/cinema/admin.py)


@admin.register(Still)
class StillAdmin(admin.ModelAdmin):
    list_display = [
        "channel",
        "status",
        "progress",
        "is_default",
        "puppyslug_index",
        "seconds",
        "created",
    ]
    list_filter = ["status", "is_default", "channel__layer__network"]
    readonly_fields = [
        "spec_hash", "job_id", "queue", "attempts", "deaths", "error_detail",
        "created", "queued_at", "started_at", "heartbeat_at", "finished_at",
    ]  # fmt: skip
    actions = [render_stills, retry_failed, retry_stale]


@admin.action(description="Cancel the selected batch renders")
def cancel_batches(modeladmin, request, queryset):
    stopped = sum(batch.cancel() for batch in queryset)
    modeladmin.message_user(request, f"Cancelled {queryset.count()} batch(es), {stopped} still(s).")


@admin.action(description="Retry the failed and cancelled stills of the selected batches")
def retry_batches(modeladmin, request, queryset):
    try:
        queued = sum(batches.retry_batch(batch) for batch in queryset)
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, f"Queued {queued} still(s) again.")


@admin.register(BatchRender)
class BatchRenderAdmin(admin.ModelAdmin):
    """Started from the layer and network lists; followed on their progress page."""

    list_display = ["__str__", "progress_page", "status_now", "created_by", "created"]
    list_filter = ["network", "cancelled"]
    fields = ["network", "layers", "created_by", "created", "prepared", "cancelled", "error"]
    readonly_fields = fields
    actions = [cancel_batches, retry_batches]

    def has_add_permission(self, request):
        return False

    @admin.display(description="progress")
    def progress_page(self, batch):
        counts = batch.counts()
        return format_html(
            '<a href="{}">{} of {} done</a>',
            batch.get_absolute_url(),
            counts["done"],
            counts["total"],
        )

    @admin.display(description="status")
    def status_now(self, batch):
        return batch.status()
