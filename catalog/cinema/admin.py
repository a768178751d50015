"""Films and tours in the back office, and the channel admin's preview-film action."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from catalog.atlas.admin import ChannelAdmin
from catalog.cinema import films, storyboards
from catalog.cinema.models import Film, Tour, TourStop
from catalog.queues import RenderingUnavailable
from renderer.cinema import FilmSpecError


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


# The channel admin lives in the atlas app; its preview-film action belongs here.
ChannelAdmin.actions = [*ChannelAdmin.actions, render_previews]
