import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.renderer.cinema_helpers import decode


def write_spec(tmp_path, **overrides) -> str:
    spec = {
        "network": "efficientnet-lite0",
        "size": [64, 48],
        "fps": 4,
        "first_steps": 8,
        "steps": 2,
        "shots": [
            {"kind": "zoom", "layer": "block10", "channel": 3, "seconds": 1, "caption": "3"},
            {"kind": "transition", "layer": "block10", "from": 3, "to": 7, "seconds": 0.5},
        ],
        **overrides,
    }
    path = tmp_path / "film.json"
    path.write_text(json.dumps(spec))
    return str(path)


def render_video(*args) -> dict:
    out = StringIO()
    call_command("render_video", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_it_renders_a_film_and_reports_it_as_json(registered, settings, tmp_path):
    output = tmp_path / "film.mp4"
    report = render_video(write_spec(tmp_path), "--output", str(output), "--steps", "1")
    assert set(report) >= {"output", "frames", "rendered", "cached", "seconds", "fps", "size"}
    assert report["output"] == str(output) and report["frames"] == 6
    assert (report["rendered"], report["cached"], report["size"]) == (6, 0, [64, 48])
    assert len(decode(output)) == 6
    assert list((settings.MEDIA_ROOT / "frames").rglob("*.png"))  # the frame cache
    again = render_video(write_spec(tmp_path), "--output", str(output), "--steps", "1")
    assert (again["rendered"], again["cached"]) == (0, 6)


def test_it_writes_screens_and_a_manifest(registered, tmp_path):
    spec = write_spec(
        tmp_path, shots=[{"kind": "hold", "layer": "block3", "channel": 1, "seconds": 1}]
    )
    report = render_video(spec, "--output", str(tmp_path / "wall.mp4"), "--screens", "2")
    manifest = json.loads((tmp_path / "wall.manifest.json").read_text())
    assert report["manifest"] == str(tmp_path / "wall.manifest.json")
    assert [entry["frames"] for entry in manifest["screens"]] == [4, 4]


def test_an_invalid_spec_is_refused_naming_shot_and_field(registered, tmp_path):
    spec = write_spec(
        tmp_path,
        shots=[
            {"kind": "hold", "layer": "block10", "channel": 3, "seconds": 1},
            {"kind": "zoom", "layer": "block10", "channel": 999, "seconds": 1},
        ],
    )
    with pytest.raises(CommandError, match=r"shot 1, field 'channel'.*112 channels"):
        render_video(spec, "--output", str(tmp_path / "x.mp4"))
    with pytest.raises(CommandError, match=r"film, field 'size'.*even"):
        render_video(write_spec(tmp_path, size=[65, 48]), "--output", str(tmp_path / "x.mp4"))
    with pytest.raises(CommandError, match="network 'nonet'"):
        render_video(write_spec(tmp_path, network="nonet"), "--output", str(tmp_path / "x.mp4"))
    assert not (tmp_path / "x.mp4").exists()
