import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from PIL import Image


def render_print(*args) -> dict:
    out = StringIO()
    call_command("render_print", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_it_writes_a_print_with_dpi_metadata(registered, tmp_path, fmt):
    output = tmp_path / f"print.{fmt}"
    report = render_print(
        "efficientnet-lite0",
        "stem",
        "4",
        "--size",
        "256",
        "--base",
        "64",
        "--steps",
        "4",
        "--dpi",
        "240",
        "--format",
        fmt,
        "--output",
        str(output),
    )
    assert report["image"] == str(output) and report["size"] == [256, 256]
    with Image.open(output) as image:
        assert image.size == (256, 256) and image.format == fmt.upper()
        assert round(image.info["dpi"][0]) == 240
    assert report["peak_memory_mb"] > 0 and report["seconds"] > 0
    assert not list(tmp_path.glob("*.part"))


def test_a_bad_print_request_names_the_option(registered, tmp_path):
    with pytest.raises(CommandError, match="--style"):
        render_print(
            "efficientnet-lite0", "stem", "4", "--style", "oil", "--output", str(tmp_path / "x.png")
        )
    with pytest.raises(CommandError, match="no channel"):
        render_print("efficientnet-lite0", "stem", "999")
    assert not list(tmp_path.iterdir())
