"""Film specs: what is refused before anything renders, and what the examples say."""

import json
from pathlib import Path

import pytest

from renderer import SpecError
from renderer.cinema import FilmSpec, FilmSpecError
from renderer.cinema.shots import plan_frames

DOCS = Path(__file__).resolve().parents[2] / "docs" / "films"


def spec(**overrides):
    shots = [
        {"kind": "zoom", "layer": "block10", "channel": 3, "seconds": 1},
        {"kind": "transition", "layer": "block10", "from": 3, "to": 7, "seconds": 1},
    ]
    return {
        "network": "efficientnet-lite0",
        "size": [64, 48],
        "fps": 4,
        "shots": shots,
        **overrides,
    }


def with_shot(index, **changes):
    data = spec()
    data["shots"][index] = {**data["shots"][index], **changes}
    return data


@pytest.mark.parametrize(
    "data, shot, field",
    [
        (spec(size=[63, 48]), None, "size"),
        (spec(size=[64, 47]), None, "size"),
        (spec(size=[7680, 4320]), None, "size"),
        (spec(fps=0), None, "fps"),
        (spec(style="transparent"), None, "style"),
        (spec(shots=[]), None, "shots"),
        (spec(colour="red"), None, "colour"),
        (with_shot(0, kind="spin"), 0, "kind"),
        (with_shot(0, channel=-1), 0, "channel"),
        (with_shot(0, zoom=5), 0, "zoom"),
        (with_shot(0, centre=[2, 0]), 0, "centre"),
        (with_shot(0, seconds=0), 0, "seconds"),
        (with_shot(0, seconds=0.01), 0, "seconds"),
        (with_shot(0, to_layer="block12"), 0, "to_channel"),
        (with_shot(0, to_channel=5), 0, "to_layer"),
        (with_shot(0, to_layer="block12", to_channel=-2), 0, "to_channel"),
        (with_shot(1, easing="bounce"), 1, "easing"),
        (with_shot(1, to="seven"), 1, "to"),
        (with_shot(1, channel=4), 1, "channel"),
        (spec(shots=[{"kind": "pan", "layer": "block8", "seconds": 1}]), 0, "channels"),
        (
            spec(shots=[{"kind": "montage", "layer": "b", "channels": [1], "seconds": 1}]),
            0,
            "channels",
        ),
    ],
)
def test_an_invalid_spec_is_refused_naming_shot_and_field(data, shot, field):
    with pytest.raises(FilmSpecError) as error:
        FilmSpec.from_json(data)
    assert (error.value.shot_index, error.value.field) == (shot, field)
    assert isinstance(error.value, SpecError)
    where = "film" if shot is None else f"shot {shot}"
    assert str(error.value).startswith(f"{where}, field {field!r}")


def test_an_odd_size_is_refused_with_a_clear_message():
    with pytest.raises(FilmSpecError, match="even dimensions, got 1919×1080"):
        FilmSpec.from_json(spec(size=[1919, 1080]))


def test_layers_and_channels_are_checked_against_the_network(lite0):
    with pytest.raises(FilmSpecError) as error:
        FilmSpec.from_json(with_shot(1, to=500)).check_network(lite0)
    assert (error.value.shot_index, error.value.field) == (1, "to")
    assert "112 channels" in str(error.value)
    with pytest.raises(FilmSpecError) as error:
        FilmSpec.from_json(with_shot(0, layer="block99")).check_network(lite0)
    assert (error.value.shot_index, error.value.field) == (0, "layer")


@pytest.mark.parametrize(
    "to_layer, to_channel, message",
    [
        ("block99", 0, "has no layer 'block99'"),
        ("block8", 0, "'block8' is not after 'block10'"),
        ("block10", 0, "'block10' is not after 'block10'"),
        ("block12", 5000, "has 192 channels, got 5000"),
    ],
)
def test_a_deeper_zoom_names_a_later_layer_and_one_of_its_channels(
    lite0, to_layer, to_channel, message
):
    deeper = with_shot(0, to_layer=to_layer, to_channel=to_channel)
    with pytest.raises(FilmSpecError, match=message) as error:
        FilmSpec.from_json(deeper).check_network(lite0)
    assert error.value.shot_index == 0
    assert error.value.field == ("to_channel" if to_channel == 5000 else "to_layer")


@pytest.mark.parametrize("path", sorted(DOCS.glob("*.json")), ids=lambda p: p.name)
def test_the_documented_films_are_valid(lite0, path):
    film = FilmSpec.load(path)
    film.check_network(lite0)
    assert film.frames == sum(
        round(shot["seconds"] * film.fps) for shot in json.loads(path.read_text())["shots"]
    )


def test_the_issue_example_plans_one_frame_per_twenty_fourth_of_a_second():
    film = FilmSpec.load(DOCS / "issue-example.json")
    plans = plan_frames(film)
    assert len(plans) == 24 * (4 + 3 + 6 + 2)
    zoom = [p for p in plans if p.shot.kind == "zoom"]
    assert all(p.scale == pytest.approx(1.02) for p in zoom)  # linear: 1.02 every frame
    transition = [p.progress for p in plans if p.shot.kind == "transition"]
    assert transition[0] == 0 and transition[-1] == 1 and transition == sorted(transition)
    pan = [p.camera for p in plans if p.shot.kind == "pan"]
    assert pan[0] == 0 and pan[-1] == 1
    assert plans[-1].number == len(plans) - 1
