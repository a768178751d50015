"""The back office: every model, with "render" and "retry failed" actions."""

from django.contrib import admin, messages

from catalog.jobs import RenderingUnavailable, queue_render_for
from catalog.models import Channel, Layer, Network, Still


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


@admin.action(description="Render every channel of the selected layers")
def render_layers(modeladmin, request, queryset):
    channels = Channel.objects.filter(layer__in=queryset).select_related("layer__network")
    _queue(modeladmin, request, _default_stills(channels))


@admin.action(description="Render the selected stills")
def render_stills(modeladmin, request, queryset):
    _queue(modeladmin, request, list(queryset))


@admin.action(description="Retry the selected failed stills")
def retry_failed(modeladmin, request, queryset):
    stills = [still for still in queryset.filter(status=Still.FAILED) if still.reset_for_retry()]
    _queue(modeladmin, request, stills)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "arch", "weight_hash", "created"]
    search_fields = ["name"]


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "position", "channel_count", "kind"]
    list_filter = ["network", "kind"]
    actions = [render_layers]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "label"]
    list_filter = ["layer__network", "layer"]
    search_fields = ["label", "layer__name"]
    actions = [render_channels]


@admin.register(Still)
class StillAdmin(admin.ModelAdmin):
    list_display = ["channel", "status", "progress", "is_default", "seconds", "created"]
    list_filter = ["status", "is_default", "channel__layer__network"]
    readonly_fields = ["spec_hash", "job_id", "created", "queued_at", "started_at", "finished_at"]
    actions = [render_stills, retry_failed]
