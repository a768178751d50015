"""Curators' notes: Markdown in, sanitized HTML out."""

from __future__ import annotations

from collections.abc import Callable

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# Markdown's own output, and nothing that runs, embeds or styles: no script, iframe, style.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}


def render_note(text: str, link: Callable[[str], str] | None = None) -> SafeString:
    """`text` (Markdown) as HTML that is safe to show; `link` rewrites site paths.

    Links and images are full URLs or site paths ("/n/network/layer/3/"); the static
    export passes a `link` that makes site paths relative, so that a note linking to
    another channel works from the file system too. Other relative links are dropped.
    """
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src") or value.startswith(("//", "#")):
            return value
        if value.startswith("/"):
            return link(value) if link else value
        if ":" in value.split("/", 1)[0]:
            return value  # a URL with a scheme (nh3 keeps http, https and mailto only)
        return None  # relative to what? pages sit at other depths in the catalogue

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=rewrite,
        url_schemes={"http", "https", "mailto"},
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
