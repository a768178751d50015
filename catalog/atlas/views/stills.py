"""A still's status, image, thumbnail and download; media files with private ones guarded."""

import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404

from catalog.atlas import jobs, sketch, thumbnails
from catalog.atlas.models import Still


def still_status(request, still_id):
    still = visible_still_or_404(request, still_id)
    return JsonResponse(still.status_dict(position=jobs.position_of(still)))


def still_image(request, still_id):
    """A still's image for those who may see it (a visitor's variant: that visitor)."""
    still = visible_still_or_404(request, still_id)
    if not still.is_cached:
        raise Http404("not rendered yet")
    return _stored_file(still.image.name, "image/png")


def still_video(request, still_id):
    """A moving image's clip for those who may see it."""
    still = visible_still_or_404(request, still_id)
    if not still.is_cached or not still.video:
        raise Http404("no clip")
    return _stored_file(still.video.name, "video/mp4")


def still_download(request, still_id):
    """A still's PNG as a download named for its channel (efficientnet-lite0-block3-7.png)."""
    still = visible_still_or_404(request, still_id)
    if not still.is_cached:
        raise Http404("not rendered yet")
    channel = still.channel
    response = _stored_file(still.image.name, "image/png")
    name = f"{channel.layer.network.name}-{channel.layer.name}-{channel.index}.png"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def still_thumbnail(request, still_id):
    """A grid thumbnail of an atlas still (made on first request)."""
    still = get_object_or_404(Still.objects.public(), id=still_id)
    if not still.is_cached:
        raise Http404("not rendered yet")
    try:
        name = thumbnails.thumbnail_name(still)
    except FileNotFoundError as exc:
        raise Http404("image missing") from exc
    return _stored_file(name, "image/png")


PRIVATE_MEDIA = ("variants/", "photos/")


def media(request, path):
    """Atlas stills from the media storage (a production host may serve the media folder
    itself, except its `variants/` folder); visitors' variants go through `still_image`."""
    if path.startswith(PRIVATE_MEDIA) or "/." in f"/{path}" or path.endswith("/"):
        raise Http404("not public")
    return _stored_file(path)


def _stored_file(name: str, content_type: str | None = None) -> FileResponse:
    """A file of the media storage, streamed (404 when it is not there)."""
    try:
        stored = default_storage.open(name, "rb")
    except (OSError, SuspiciousFileOperation) as exc:  # missing, a folder, outside
        raise Http404("no such file") from exc
    return FileResponse(stored, content_type=content_type or mimetypes.guess_type(name)[0])


def visible_still_or_404(request, still_id: int) -> Still:
    still = get_object_or_404(Still.objects.select_related("channel__layer__network"), id=still_id)
    if not sketch.can_see(request, still):
        raise Http404("no such still")
    return still
