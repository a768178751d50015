"""How a channel page shows its still: where the image is, and how large to draw it."""

from __future__ import annotations

from django import template
from django.urls import reverse

from catalog.atlas import thumbnails
from catalog.templatetags.atlas import link

register = template.Library()

FRAME = 512  # the still's frame on a channel page, in CSS pixels


@register.simple_tag(takes_context=True)
def still_src(context, still) -> str:
    """The still's image as this page links it (a file link in the static catalogue)."""
    if context.get("export_page") is not None:
        return link(context, still.image)
    return still.image_url or ""


@register.simple_tag(takes_context=True)
def video_src(context, still) -> str:
    """A moving image's clip as this page links it ("" for a still image)."""
    if not still.video:
        return ""
    if context.get("export_page") is not None:
        return link(context, still.video)
    return still.video_url or ""


@register.filter
def display_width(still) -> int:
    """The still drawn at a whole multiple of its size that fits the frame: every image
    pixel becomes a sharp square of screen pixels, never a blur of scaled ones."""
    size = int(still.spec.get("size", FRAME))
    return size * max(1, FRAME // size)


@register.filter
def download_name(channel) -> str:
    """The file name a downloaded still gets: efficientnet-lite0-block3-7.png."""
    return f"{channel.layer.network.name}-{channel.layer.name}-{channel.index}.png"


@register.simple_tag(takes_context=True)
def thumb_src(context, still) -> str:
    """A grid's image of `still`: a thumbnail made for the cell when the still is larger
    (the static catalogue links the still itself)."""
    if context.get("export_page") is None and thumbnails.needs_thumbnail(still):
        return reverse("still-thumbnail", args=[still.id])
    return link(context, still.image)
