"""The activation atlas's links: the layer page's link to it and its stored images."""

from __future__ import annotations

from django import template
from django.core.files.storage import default_storage

from catalog.relations.models import ActivationAtlas
from catalog.templatetags.atlas import relative_link

register = template.Library()


@register.inclusion_tag("relations/_atlas_link.html", takes_context=True)
def atlas_link(context, layer) -> dict:
    """The link from a layer page to its activation atlas: on the site for every spatial
    layer (the page offers to compute one), in the static catalogue only where one is done."""
    exported = context.get("export_page") is not None
    done = layer.activation_atlases.filter(status=ActivationAtlas.DONE).exclude(image="")
    shown = layer.kind == "conv" and (not exported or done.exists())
    return {"layer": layer, "shown": shown, "export_page": context.get("export_page")}


@register.simple_tag(takes_context=True)
def media(context, name: str) -> str:
    """A file of the media storage (an atlas's map or cell) as a link from this page."""
    page = context.get("export_page")
    return default_storage.url(name) if page is None else relative_link(f"/media/{name}", page)
