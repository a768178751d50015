"""Workshop sketching: variants of a channel's still asked for from its page, within limits.

A visitor's query string (`?style=cppn&seed=3`) or uploaded photograph becomes a
`RenderSpec` of the same channel; it shares the cache, the queue and the progress bar.
Limits are checked on the parsed spec, never on the raw strings. Anonymous visitors get
small sizes and step counts, a rate per client address and a cap on pending variants;
staff get the renderer's own limits. A variant belongs to the sessions that asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django_ratelimit.core import get_usage

from catalog.atlas.models import Still
from renderer import SpecError
from renderer.spec import RenderSpec

VARIANT_FIELDS = ("objective", "style", "size", "steps", "seed", "count", "channel_b", "photo")
SESSION_KEY = "atlas_variants"
SESSION_MEMORY = 100  # variants a session remembers


def limits_for(user) -> dict[str, int]:
    """The largest size, steps and count this user may ask for."""
    return settings.ATLAS_SKETCH_LIMITS["staff" if user.is_staff else "visitor"]


def variant_params(query) -> dict[str, str]:
    """The render parameters present in a query string."""
    return {k: query[k] for k in VARIANT_FIELDS if query.get(k, "") != ""}


def check_limits(params: dict[str, str], user) -> None:
    """Refuse parameters beyond the user's limits (`SpecError` naming the field), checked
    on the values as the renderer parses them, never on the raw strings."""
    values = RenderSpec.parse_params(**params)
    for field, limit in limits_for(user).items():
        value = values.get(field)
        if isinstance(value, int) and value > limit:
            who = "staff" if user.is_staff else "visitors"
            raise SpecError(field, f"{who} may ask for at most {limit}, got {value}")


def origin_of(user) -> str:
    return Still.STAFF if user.is_staff else Still.VISITOR


def variant_query(spec, default) -> str:
    """The query string that asks for `spec` on its channel's page ('' for the default)."""
    changed = {
        name: value
        for name, value in spec.to_dict().items()
        if name in VARIANT_FIELDS and value != getattr(default, name)
    }
    return "?" + urlencode(changed) if changed else ""


@dataclass
class Refusal:
    """Why a new variant is not rendered now, and when to try again (seconds)."""

    reason: str
    retry_after: int


def refusal_for(request) -> Refusal | None:
    """None if this client may queue one more variant now; counts the attempt."""
    if request.user.is_staff:
        return None
    usage = get_usage(
        request, group="variants", key="ip", rate=settings.ATLAS_VARIANT_RATE, increment=True
    )
    if usage and usage["should_limit"]:
        return Refusal(
            f"this address asked for more than {_in_words(settings.ATLAS_VARIANT_RATE)} "
            "new variants",
            max(1, int(usage["time_left"])),
        )
    mine = Still.objects.pending().filter(id__in=remembered(request))
    if mine.count() >= settings.ATLAS_MAX_PENDING_PER_VISITOR:
        return Refusal("your earlier variants are still rendering", 30)
    pending = Still.objects.pending().filter(origin=Still.VISITOR)
    if pending.count() >= settings.ATLAS_MAX_PENDING_VARIANTS:
        return Refusal("many visitors' variants are rendering right now", 60)
    return None


def _in_words(rate: str) -> str:
    """django-ratelimit's "10/m" or "30/5m" as "10 a minute" or "30 in 5 minutes"."""
    count, _, period = rate.partition("/")
    number, unit = (
        period[:-1],
        {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[-1:], period),
    )
    return f"{count} in {number} {unit}s" if number else f"{count} a {unit}"


def remember(request, still: Still) -> None:
    """Let this visitor's session see `still` (a variant it asked for)."""
    ids = [i for i in request.session.get(SESSION_KEY, []) if i != still.id]
    request.session[SESSION_KEY] = (ids + [still.id])[-SESSION_MEMORY:]


def remembered(request) -> list[int]:
    return list(request.session.get(SESSION_KEY, []))


def can_see(request, still: Still) -> bool:
    """Atlas stills are public; a variant is its visitors' and staff's."""
    return still.is_public or request.user.is_staff or still.id in remembered(request)


def is_cross_site(request) -> bool:
    """A request another site's page made (an <img>, a link): it never starts a render."""
    return request.headers.get("Sec-Fetch-Site", "") == "cross-site"
