"""Staff order a print of a channel from its page, watch it render, then download it."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from catalog.atlas import prints
from catalog.atlas.views.channels import bad_request
from catalog.atlas.views.lookup import channel_or_404
from catalog.people import admin_required
from catalog.queues import RenderingUnavailable
from renderer import SpecError


@require_POST
@admin_required
def channel_print(request, network, layer, index):
    channel = channel_or_404(network, layer, index)
    try:
        size = prints.check_size(_integer(request.POST.get("size", "")))
        prints.queue_print(channel, size)
    except SpecError as exc:
        return bad_request(request, channel, exc)
    except RenderingUnavailable:
        return redirect(channel.get_absolute_url() + "?print=unavailable#print")
    return redirect(channel.get_absolute_url() + "#print")


@admin_required
def channel_print_status(request, network, layer, index):
    channel = channel_or_404(network, layer, index)
    try:
        return JsonResponse({"prints": prints.prints_of(channel)})
    except RenderingUnavailable as exc:
        return JsonResponse({"error": str(exc)}, status=503)


def _integer(value: str) -> int:
    if not value.isdigit():
        raise SpecError("size", f"a whole number of pixels, not {value!r}")
    return int(value)
