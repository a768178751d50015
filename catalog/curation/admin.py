"""The curators' back office: the taxonomy and notes with their revisions."""

from django.contrib import admin

from catalog.curation.models import Annotation, AnnotationRevision, Taxon


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
