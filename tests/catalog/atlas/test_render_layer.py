import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from catalog.atlas.models import Still


def render_layer(*args) -> list[dict]:
    out = StringIO()
    call_command("render_layer", *args, stdout=out, stderr=StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_inline_renders_the_chosen_channels_and_reports_them(registered):
    rows = render_layer(
        "efficientnet-lite0",
        "block10",
        "--channels",
        "0-2,7",
        "--steps",
        "4",
        "--size",
        "40",
        "--inline",
        "--json",
    )
    assert [row["channel"] for row in rows] == [0, 1, 2, 7]
    for row in rows:
        assert set(row) >= {
            "network",
            "layer",
            "channel",
            "status",
            "rank",
            "objective",
            "seconds",
            "image",
        }
        assert row["status"] == "done" and row["layer"] == "block10"
        assert isinstance(row["rank"], int) and isinstance(row["objective"], float)
        assert Image.open(row["image"]).size == (40, 40)
    assert not list(Path(rows[0]["image"]).parent.glob("*.part"))


def test_a_cached_still_is_not_rendered_again(registered):
    args = (
        "efficientnet-lite0",
        "stem",
        "--channels",
        "3",
        "--steps",
        "2",
        "--size",
        "32",
        "--inline",
        "--json",
    )
    first = render_layer(*args)[0]
    finished = Still.objects.get().finished_at
    again = render_layer(*args)[0]
    assert again["image"] == first["image"]
    assert Still.objects.get().finished_at == finished


def test_queued_stills_are_rendered_by_a_real_worker(registered, run_worker):
    rows = render_layer(
        "efficientnet-lite0",
        "block3",
        "--channels",
        "0-3",
        "--steps",
        "3",
        "--size",
        "32",
        "--json",
    )
    assert {row["status"] for row in rows} == {"queued"}
    run_worker()
    stills = Still.objects.all()
    assert [s.status for s in stills] == ["done"] * 4
    assert all(Path(s.image.path).exists() for s in stills)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--channels", "0-500"), "--channels: the layer has channels 0-111"),
        (("--channels", "a-b"), "--channels: expected"),
        (("--steps", "0"), "--steps: must be between"),
        (("--size", "99999"), "--size: must be between"),
    ],
)
def test_bad_arguments_name_the_option_and_change_nothing(registered, args, message):
    with pytest.raises(CommandError, match=message):
        render_layer("efficientnet-lite0", "block10", *args)
    assert not Still.objects.exists()


def test_an_unknown_layer_lists_the_layers(registered):
    with pytest.raises(CommandError, match="no layer 'block99'; layers: stem, block0"):
        render_layer("efficientnet-lite0", "block99")
    with pytest.raises(CommandError, match="unknown network"):
        render_layer("nonet", "block1")
