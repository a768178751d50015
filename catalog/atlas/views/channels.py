"""A channel's page: its still (queued when missing), variants, sketching and dreams."""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.atlas import jobs, photos, prints, sketch
from catalog.atlas.forms import DreamForm, SketchForm
from catalog.atlas.models import Channel, Still
from catalog.atlas.views.lookup import channel_or_404
from catalog.cinema.models import Film
from catalog.people import can_annotate
from catalog.queues import RenderingUnavailable
from renderer import SpecError


def channel_detail(request, network, layer, index):
    """A channel's page with its still; a variant when the query asks for one.

    The default still is queued for anyone who opens it. A new variant is queued only
    for a same-site request within the visitor's limits, rate and pending cap (else a
    429 that says when to try again); a variant is visible to the sessions that asked.
    """
    channel = channel_or_404(network, layer, index)
    try:
        params = sketch.variant_params(request.GET)
        sketch.check_limits(params, request.user)
        spec = channel.spec(**params)
    except SpecError as exc:
        refused = _sketch_refused(request, channel, exc)
        return bad_request(request, channel, exc, sketch_form=refused)
    if spec == channel.spec():
        still = channel.still_for(spec)
        unavailable = _watch(still)
    else:
        key = spec.cache_key(channel.layer.network.weight_hash)
        still = Still.objects.filter(spec_hash=key).first()
        if still is None or still.status in (Still.CANCELLED, Still.NEW):
            if sketch.is_cross_site(request):
                return _render_button(request, channel)
            if refusal := sketch.refusal_for(request):
                return too_many_requests(request, refusal=refusal)
            still = still or channel.still_for(spec, origin=sketch.origin_of(request.user))
        sketch.remember(request, still)
        unavailable = _watch(still)
    return _channel_page(request, channel, still, spec, unavailable)


def _channel_page(request, channel, still, spec, unavailable):
    limits = sketch.limits_for(request.user)
    annotation = channel.annotation_or_none()
    context = {
        "channel": channel,
        "still": still,
        "position": jobs.position_of(still),
        "unavailable": unavailable,
        "sketch_form": SketchForm(initial=spec.to_dict(), limits=limits),
        "dream_form": DreamForm(limits=limits),
        "variants": _variants(request, channel, still),
        "annotation": annotation,
        "note": annotation.html() if annotation else "",
        "can_annotate": can_annotate(request.user),
        "preview": Film.objects.previews_of([channel]).get(channel.id),
        "layers": channel.layer.network.layers.all(),
        "prints": _prints_for(request, channel),
    }
    return render(request, "atlas/channel.html", {**context, **channel.neighbours()})


def _prints_for(request, channel: Channel) -> list[dict] | None:
    """The channel's prints for staff (None for visitors; [] while Redis is down)."""
    if not request.user.is_staff:
        return None
    try:
        return prints.prints_of(channel)
    except RenderingUnavailable:
        return []


def _render_button(request, channel):
    """Another site linked to a new variant: show a button instead of rendering."""
    context = {"channel": channel, "query": request.GET.urlencode()}
    return render(request, "atlas/render_variant.html", context)


def too_many_requests(request, exception=None, refusal=None):
    """429: what was refused and when to try again (also django-ratelimit's view)."""
    refusal = refusal or sketch.Refusal("too many requests from this address", 60)
    context = {"reason": refusal.reason, "retry_after": refusal.retry_after}
    response = render(request, "atlas/too_many_requests.html", context, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@require_POST
def channel_dream(request, network, layer, index):
    """Upload a photograph and dream the channel into it: redirects to that variant."""
    channel = channel_or_404(network, layer, index)
    form = DreamForm(request.POST, request.FILES, limits=sketch.limits_for(request.user))
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return bad_request(request, channel, SpecError(field, " ".join(errors)))
    try:
        digest = photos.store_photo(form.cleaned_data["photo"])
    except SpecError as exc:
        return bad_request(request, channel, exc)
    query = {"objective": form.cleaned_data["objective"], "style": "pixel", "photo": digest}
    query.update(steps=form.cleaned_data["steps"], size=form.cleaned_data["size"])
    return redirect(channel.get_absolute_url() + "?" + urlencode(query))


def bad_request(request, channel, error: SpecError, sketch_form=None):
    """400: the field and why, and the sketch form again with what was typed."""
    message = error.message.rstrip(".")
    limits = sketch.limits_for(request.user)
    context = {
        "field": error.field,
        "message": message,
        "channel": channel,
        "sketch_form": sketch_form or SketchForm(initial=channel.spec().to_dict(), limits=limits),
        "dream_form": DreamForm(limits=limits),
    }
    return render(request, "atlas/bad_request.html", context, status=400)


def _sketch_refused(request, channel: Channel, error: SpecError) -> SketchForm:
    """The sketch form as the visitor sent it (over the channel's defaults), with the
    renderer's refusal next to its field."""
    typed = {**channel.spec().to_dict(), **sketch.variant_params(request.GET)}
    form = SketchForm(data=typed, limits=sketch.limits_for(request.user))
    return form.with_error(error.field, error.message.rstrip("."))


def _variants(request, channel: Channel, current: Still) -> list[tuple[Still, str]]:
    """The channel's other rendered stills this viewer may see, with their query strings."""
    default = channel.spec()
    others = channel.stills.filter(status=Still.DONE, is_default=False).exclude(id=current.id)
    if not request.user.is_staff:
        others = others.filter(id__in=sketch.remembered(request))
    return [
        (still, sketch.variant_query(still.render_spec(), default))
        for still in others.select_related("channel__layer")[:24]
    ]


def _watch(still: Still) -> str | None:
    """Queue (or hurry) a still somebody opened; the message to show when rendering is down."""
    if still.status not in (Still.NEW, Still.QUEUED, Still.CANCELLED):
        return None
    try:
        jobs.watch(still)
    except RenderingUnavailable:
        return "Rendering is unavailable right now: this still will render once it is back."
    return None
