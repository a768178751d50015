import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.atlas.models import BatchRender, Still


@pytest.fixture(autouse=True)
def tiny_stills(settings):
    settings.ATLAS_DEFAULT_STILL = {"size": 32, "steps": 2}


def render_network(*args) -> dict:
    out = StringIO()
    call_command("render_network", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_inline_renders_the_chosen_layers_as_one_batch(registered):
    progress = render_network("efficientnet-lite0", "--layers", "block0", "--inline")
    assert progress["status"] == "finished" and progress["done"] == progress["total"] == 16
    batch = BatchRender.objects.get()
    assert [layer.name for layer in batch.layers.all()] == ["block0"]
    assert batch.created_by is None


def test_queued_renders_wait_for_the_workers_and_skip_cached_stills(registered, run_worker):
    progress = render_network("efficientnet-lite0", "--layers", "block0,stem")
    assert progress["total"] == 48 and progress["queued"] == 48
    assert Still.objects.filter(status=Still.QUEUED).count() == 48
    run_worker()
    again = render_network("efficientnet-lite0", "--layers", "stem", "block0")
    assert again["done"] == 48 and again["queued"] == 0 and again["status"] == "finished"


def test_unknown_networks_and_layers_are_clear_errors(registered):
    with pytest.raises(CommandError, match="unknown network 'nonet'"):
        render_network("nonet")
    with pytest.raises(CommandError, match="has no layer block99; layers: stem, block0"):
        render_network("efficientnet-lite0", "--layers", "block0,block99")
    assert not BatchRender.objects.exists()


def test_without_redis_it_says_so_and_suggests_inline(registered, settings):
    settings.RQ_QUEUES = {
        name: {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 60}
        for name in ("render", "default")
    }
    with pytest.raises(CommandError, match="--inline"):
        render_network("efficientnet-lite0", "--layers", "stem")
