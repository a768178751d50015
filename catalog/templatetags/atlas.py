"""Links that work on the site and in the static catalogue alike.

On the site, `{% link channel %}` is the channel's path. When the static export renders
a page it puts the page's own path in the context as `export_page`; links then become
relative file links ("../3/index.html"), so the catalogue works from any folder.
"""

from __future__ import annotations

import posixpath

from django import template
from django.db.models.fields.files import FieldFile
from django.templatetags.static import static
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def link(context, target, *args) -> str:
    """A page (a model with `get_absolute_url`, a URL name and its arguments, a path) or a
    stored file (a still's image), as a link from the current page."""
    page = context.get("export_page")
    if hasattr(target, "get_absolute_url"):
        path = target.get_absolute_url()
    elif isinstance(target, FieldFile):
        # The catalogue keeps stills under media/, wherever the site serves them from.
        path = target.url if page is None else f"/media/{target.name}"
    elif isinstance(target, str) and target.startswith("/"):
        path = target
    else:
        path = reverse(target, args=args)
    return relative_link(path, page)


@register.simple_tag(takes_context=True)
def asset(context, name: str) -> str:
    """A static file (CSS, JS), as `{% static %}` on the site."""
    page = context.get("export_page")
    return static(name) if page is None else relative_link(f"/static/{name}", page)


def relative_link(path: str, page: str | None) -> str:
    """`path` as linked from the page at site path `page`; unchanged when `page` is None.

    In the export every page is a folder's index.html, so "/n/lite0/" becomes
    ".../n/lite0/index.html" and the link is relative to the page's folder.
    """
    if page is None:
        return path
    path, hash_mark, fragment = path.partition("#")
    if path.endswith("/"):
        path += "index.html"
    relative = posixpath.relpath(path, page if page.endswith("/") else posixpath.dirname(page))
    return relative + hash_mark + fragment
