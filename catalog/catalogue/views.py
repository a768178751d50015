"""The static catalogue's page for admins: start an export, see the last one."""

from django.conf import settings
from django.shortcuts import redirect, render

from catalog.catalogue import export as catalogue
from catalog.people import admin_required
from catalog.queues import RenderingUnavailable


@admin_required
def catalogue_export(request):
    folder = settings.ATLAS_CATALOGUE_DIR
    if request.method == "POST":
        try:
            catalogue.queue_export(folder)
        except RenderingUnavailable as exc:
            return render(request, "catalogue/export.html", {"error": exc, "folder": folder})
        return redirect("catalogue-export")
    state, failure = catalogue.export_state()
    context = {
        "folder": folder,
        "manifest": catalogue.read_manifest(folder),
        "queued": state == "queued",
        "error": failure,
    }
    return render(request, "catalogue/export.html", context)
