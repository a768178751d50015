"""The back office: every model, with "render", "batch render" and "retry failed" actions."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils.html import format_html

from catalog import batches, films, storyboards
from catalog.admin_corpora import CorpusAdmin  # noqa: F401 (registers the corpus admin)
from catalog.forms import NetworkForm
from catalog.jobs import queue_render_for, recover_stills
from catalog.models import (
    Annotation,
    AnnotationRevision,
    BatchRender,
    Channel,
    Film,
    Layer,
    Network,
    Still,
    Taxon,
    Tour,
    TourStop,
)
from catalog.queues import RenderingUnavailable
from catalog.registration import register_network
from renderer.cinema import FilmSpecError


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


@admin.action(description="Render a preview film of the selected channels (a short loop)")
def render_previews(modeladmin, request, queryset):
    try:
        made, refused = storyboards.queue_previews(
            queryset.select_related("layer__network"), request.user
        )
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, f"Queued the preview films of {len(made)} channel(s).")
    for reason in refused[:10]:
        modeladmin.message_user(request, f"No preview: {reason}", messages.WARNING)


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
    actions = [render_channels, render_previews]


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


@admin.register(Taxon)
class TaxonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position", "featured"]
    list_editable = ["featured"]
    list_filter = ["parent", "featured"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    model = AnnotationRevision
    fields = ["created", "author_name", "text", "tags"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    """Curators edit notes on the channel page, where every edit is kept; here they are read."""

    list_display = ["channel", "text", "featured"]
    list_filter = ["featured", "tags", "channel__layer__network"]
    search_fields = ["text", "channel__layer__name"]
    readonly_fields = ["channel", "text", "tags"]
    inlines = [RevisionInline]

    def has_add_permission(self, request):
        return False


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


class SpecField(forms.JSONField):
    """A film spec as indented JSON, easy to edit in a textarea."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class FilmForm(forms.ModelForm):
    """A film spec pasted or uploaded, checked (shot index and field) before it is saved."""

    spec_file = forms.FileField(required=False, help_text="or upload a spec file (JSON)")

    class Meta:
        model = Film
        fields = ["title", "spec", "spec_file"]
        field_classes = {"spec": SpecField}
        widgets = {"spec": forms.Textarea(attrs={"rows": 24, "cols": 90})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spec"].required = False
        self.fields["title"].required = False
        self.film_spec = None

    def clean(self):
        cleaned = super().clean()
        field = "spec_file" if cleaned.get("spec_file") else "spec"
        if cleaned.get("spec_file"):
            try:
                cleaned["spec"] = json.loads(cleaned["spec_file"].read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                self.add_error("spec_file", f"not a JSON file: {exc}")
                return cleaned
        if self.has_error("spec"):
            return cleaned
        if cleaned.get("spec") in (None, "", {}):
            self.add_error("spec", "paste a film spec or upload one")
            return cleaned
        if self.instance.is_pending and cleaned["spec"] != self.instance.spec:
            self.add_error(field, "the film is rendering: cancel it before changing its spec")
            return cleaned
        try:
            self.film_spec = films.check_spec(cleaned["spec"])
        except FilmSpecError as exc:
            self.add_error(field, str(exc))
            return cleaned
        cleaned["title"] = cleaned.get("title") or self.film_spec.title or "untitled film"
        self.instance.frames_total = self.film_spec.frames
        return cleaned


@admin.action(description="Render the selected films (failed and cancelled ones again)")
def render_films(modeladmin, request, queryset):
    try:
        queued = sum(films.queue_film(film) for film in queryset)
    except RenderingUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, f"Queued {queued} film(s) for rendering.")


@admin.action(description="Cancel the selected films")
def cancel_films(modeladmin, request, queryset):
    modeladmin.message_user(request, f"Cancelled {queryset.cancel()} film(s).")


@admin.register(Film)
class FilmAdmin(admin.ModelAdmin):
    """Paste or upload a spec, then the "render" action; progress on the film's page."""

    form = FilmForm
    list_display = ["__str__", "progress_page", "status", "created_by", "created"]
    list_filter = ["status"]
    search_fields = ["title"]
    readonly_fields = [
        "status", "frames_done", "frames_total", "rendered", "cached", "error", "error_detail",
        "output", "preview", "preview_of", "job_id", "attempts", "created_by", "created",
        "queued_at", "started_at", "heartbeat_at", "finished_at",
    ]  # fmt: skip
    actions = [render_films, cancel_films]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if change and "spec" in form.changed_data:
            Film.objects.filter(id=obj.id).respec(obj.frames_total)

    @admin.display(description="progress")
    def progress_page(self, film):
        return format_html(
            '<a href="{}">{} of {} frames</a>',
            film.get_absolute_url(),
            film.frames_done,
            film.frames_total,
        )


class TourStopInline(admin.TabularInline):
    model = TourStop
    fields = ["position", "channel", "caption"]
    raw_id_fields = ["channel"]
    extra = 1


@admin.register(Tour)
class TourAdmin(admin.ModelAdmin):
    """Curators also edit tours on the site (/tours/new/), a line a stop."""

    list_display = ["title", "slug", "created_by", "created"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_by", "created"]
    inlines = [TourStopInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
