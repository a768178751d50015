"""Thin views: look rows up (404 when unknown), ask the models and jobs, render a template."""

import mimetypes
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from catalog import (
    batches,
    catalogue,
    jobs,
    photos,
    prints,
    revisions,
    showcase,
    sketch,
    thumbnails,
)
from catalog.forms import AnnotationForm, DreamForm, SketchForm
from catalog.models import (
    Annotation,
    AnnotationRevision,
    BatchRender,
    Channel,
    Film,
    Layer,
    Network,
    Still,
    Taxon,
)
from catalog.notes import render_note
from catalog.people import admin_required, can_annotate, curator_required
from catalog.queues import RenderingUnavailable
from catalog.training import training_report
from renderer import SpecError

SEARCH_LIMIT = 120


def home(request):
    context = {
        "networks": showcase.network_cards(),
        "featured": showcase.featured_channels(),
        "featured_taxa": showcase.featured_taxa(),
    }
    return render(request, "catalog/home.html", context)


def about(request):
    network = Network.objects.first()
    context = {
        "network": network,
        "depths": showcase.depth_examples(network) if network else [],
        "puppyslug": showcase.puppyslug_example(),
    }
    return render(request, "catalog/about.html", context)


def network_detail(request, network):
    network = get_object_or_404(Network, name=network)
    context = {
        "network": network,
        "layers": network.layer_cards(),
        "trained": training_report(network) is not None,
    }
    return render(request, "catalog/network.html", context)


def layer_detail(request, network, layer):
    layer = _layer(network, layer)
    order = "puppyslug" if request.GET.get("sort") == "puppyslug" else "index"
    cells = layer.cells(order)
    rendered = sum(1 for _, still in cells if still)
    before, after = layer.neighbours()
    context = {
        "layer": layer,
        "network": layer.network,
        "cells": cells,
        "rendered": rendered,
        "order": order,
        "previous_layer": before,
        "next_layer": after,
        "layers": layer.network.layers.all(),
    }
    return render(request, "catalog/layer.html", context)


def contact_sheet(request, network, layer):
    layer = _layer(network, layer)
    context = {"layer": layer, "network": layer.network, "cells": layer.cells()}
    return render(request, "catalog/contact_sheet.html", context)


def channel_detail(request, network, layer, index):
    """A channel's page with its still; a variant when the query asks for one.

    The default still is queued for anyone who opens it. A new variant is queued only
    for a same-site request within the visitor's limits, rate and pending cap (else a
    429 that says when to try again); a variant is visible to the sessions that asked.
    """
    channel = _channel(network, layer, index)
    try:
        params = sketch.variant_params(request.GET)
        sketch.check_limits(params, request.user)
        spec = channel.spec(**params)
    except SpecError as exc:
        refused = _sketch_refused(request, channel, exc)
        return _bad_request(request, channel, exc, sketch_form=refused)
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
    return render(request, "catalog/channel.html", {**context, **channel.neighbours()})


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
    return render(request, "catalog/render_variant.html", context)


def too_many_requests(request, exception=None, refusal=None):
    """429: what was refused and when to try again (also django-ratelimit's view)."""
    refusal = refusal or sketch.Refusal("too many requests from this address", 60)
    context = {"reason": refusal.reason, "retry_after": refusal.retry_after}
    response = render(request, "catalog/too_many_requests.html", context, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@require_POST
def channel_dream(request, network, layer, index):
    """Upload a photograph and dream the channel into it: redirects to that variant."""
    channel = _channel(network, layer, index)
    form = DreamForm(request.POST, request.FILES, limits=sketch.limits_for(request.user))
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _bad_request(request, channel, SpecError(field, " ".join(errors)))
    try:
        digest = photos.store_photo(form.cleaned_data["photo"])
    except SpecError as exc:
        return _bad_request(request, channel, exc)
    query = {"objective": form.cleaned_data["objective"], "style": "pixel", "photo": digest}
    query.update(steps=form.cleaned_data["steps"], size=form.cleaned_data["size"])
    return redirect(channel.get_absolute_url() + "?" + urlencode(query))


@curator_required
def annotate(request, network, layer, index):
    channel = _channel(network, layer, index)
    annotation = channel.annotation_or_none()
    if request.method == "POST":
        form = AnnotationForm(request.POST)
        if form.is_valid() and "preview" in request.POST:
            preview = render_note(form.cleaned_data["text"])
            context = {"channel": channel, "form": form, "preview": preview}
            return render(request, "catalog/annotate.html", context)
        if form.is_valid():
            data = form.cleaned_data
            Annotation.revise(channel, request.user, data["text"], data["tags"])
            Annotation.objects.filter(channel=channel).update(featured=data["featured"])
            return redirect(channel)
    else:
        initial = (
            {
                "text": annotation.text,
                "tags": list(annotation.tags.all()),
                "featured": annotation.featured,
            }
            if annotation
            else {}
        )
        form = AnnotationForm(initial=initial)
    return render(request, "catalog/annotate.html", {"channel": channel, "form": form})


@curator_required
def history(request, network, layer, index):
    channel = _channel(network, layer, index)
    rows = revisions.history_rows(channel.annotation_or_none())
    return render(request, "catalog/history.html", {"channel": channel, "revisions": rows})


@require_POST
@curator_required
def revert(request, network, layer, index, revision_id):
    channel = _channel(network, layer, index)
    revision = get_object_or_404(AnnotationRevision, id=revision_id, annotation__channel=channel)
    revisions.revert(channel, request.user, revision)
    return redirect("history", network, layer, index)


def taxa(request):
    return render(request, "catalog/taxa.html", {"tree": Taxon.tree()})


def taxon_detail(request, slug):
    taxon = get_object_or_404(Taxon, slug=slug)
    cells = taxon.tagged_cells()
    context = {"taxon": taxon, "cells": cells, "note": taxon.description_html()}
    if not cells and can_annotate(request.user):
        context["candidates"] = showcase.candidate_channels(taxon)
    return render(request, "catalog/taxon.html", context)


def class_detail(request, label):
    """One class (a logit channel) side by side in every network that has it."""
    cells = Channel.class_cells(label)
    if not cells:
        raise Http404("no network has this class")
    return render(request, "catalog/class.html", {"label": label, "cells": cells})


SEARCH_WORDS = 12  # each word joins tables; SQLite refuses a query past about 35 words


def search(request):
    query = " ".join(request.GET.get("q", "").split()[:SEARCH_WORDS])
    channels, taxa_found = [], []
    if query:
        found = Channel.objects.search(query).select_related("layer__network")
        channels = list(
            found.order_by("layer__network__name", "layer__position", "index")[:SEARCH_LIMIT]
        )
        taxa_found = Taxon.objects.filter(name__icontains=query)
    thumbnail = Still.thumbnails(channels)
    context = {
        "query": query,
        "results": [(channel, thumbnail.get(channel.id)) for channel in channels],
        "taxa": taxa_found,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "catalog/search.html", context)


@admin_required
def batch_list(request):
    recent = BatchRender.objects.select_related("network", "created_by")[:50]
    rows = [(batch, batch.progress_dict()) for batch in recent]
    return render(request, "catalog/batches.html", {"rows": rows})


@admin_required
def batch_detail(request, batch_id):
    batch = get_object_or_404(BatchRender.objects.select_related("network"), id=batch_id)
    context = {"batch": batch, "progress": batch.progress_dict(), "layers": batch.layer_counts()}
    return render(request, "catalog/batch.html", context)


@admin_required
def batch_status(request, batch_id):
    batch = get_object_or_404(BatchRender, id=batch_id)
    return JsonResponse({**batch.progress_dict(), "layers": batch.layer_counts()})


@require_POST
@admin_required
def batch_cancel(request, batch_id):
    batch = get_object_or_404(BatchRender, id=batch_id)
    batch.cancel()
    return redirect(batch)


@require_POST
@admin_required
def batch_retry(request, batch_id):
    batch = get_object_or_404(BatchRender, id=batch_id)
    try:
        batches.retry_batch(batch)
    except RenderingUnavailable as exc:
        BatchRender.objects.filter(id=batch.id).update(error=str(exc))
    return redirect(batch)


@admin_required
def catalogue_export(request):
    folder = settings.ATLAS_CATALOGUE_DIR
    if request.method == "POST":
        try:
            catalogue.queue_export(folder)
        except RenderingUnavailable as exc:
            return render(request, "catalog/export.html", {"error": exc, "folder": folder})
        return redirect("catalogue-export")
    state, failure = catalogue.export_state()
    context = {
        "folder": folder,
        "manifest": catalogue.read_manifest(folder),
        "queued": state == "queued",
        "error": failure,
    }
    return render(request, "catalog/export.html", context)


def still_status(request, still_id):
    still = _visible_still(request, still_id)
    return JsonResponse(still.status_dict(position=jobs.position_of(still)))


def still_image(request, still_id):
    """A still's image for those who may see it (a visitor's variant: that visitor)."""
    still = _visible_still(request, still_id)
    if not still.is_cached:
        raise Http404("not rendered yet")
    return _stored_file(still.image.name, "image/png")


def still_download(request, still_id):
    """A still's PNG as a download named for its channel (efficientnet-lite0-block3-7.png)."""
    still = _visible_still(request, still_id)
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


def _login_rate(group, request) -> str:
    return settings.ATLAS_LOGIN_RATE


@method_decorator(ratelimit(key="ip", rate=_login_rate, method="POST"), name="post")
@method_decorator(ratelimit(key="post:username", rate=_login_rate, method="POST"), name="post")
class LoginView(auth_views.LoginView):
    """Django's login, throttled per address and per user name (then a 429)."""


def _visible_still(request, still_id: int) -> Still:
    still = get_object_or_404(Still.objects.select_related("channel__layer__network"), id=still_id)
    if not sketch.can_see(request, still):
        raise Http404("no such still")
    return still


def _layer(network: str, layer: str) -> Layer:
    return get_object_or_404(
        Layer.objects.select_related("network"), network__name=network, name=layer
    )


def _channel(network: str, layer: str, index: int) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("layer__network"),
        layer__network__name=network,
        layer__name=layer,
        index=index,
    )


def _bad_request(request, channel, error: SpecError, sketch_form=None):
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
    return render(request, "catalog/bad_request.html", context, status=400)


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
