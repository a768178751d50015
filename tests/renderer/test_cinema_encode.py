"""Video files: H.264 yuv420p MP4 with faststart and BT.709 tags, ProRes, screens."""

import json

import av
import numpy as np
import pytest

from renderer.cinema.encode import OddSize, Screens, VideoWriter, file_sha256
from tests.renderer.cinema_helpers import decode


def gradient(width: int, height: int, shade: int) -> np.ndarray:
    frame = np.zeros((height, width, 3), np.uint8)
    frame[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
    frame[..., 1] = shade
    return frame


def test_an_mp4_is_h264_yuv420p_bt709_with_the_index_first(tmp_path):
    writer = VideoWriter(tmp_path / "a.mp4", 64, 48, 4)
    for shade in (0, 80, 160, 240):
        writer.write(gradient(64, 48, shade))
    writer.close()
    with av.open(str(tmp_path / "a.mp4")) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        assert (context.name, context.pix_fmt) == ("h264", "yuv420p")
        assert (context.colorspace, context.color_primaries, context.color_trc) == (1, 1, 1)
        assert stream.average_rate == 4
    frames = decode(tmp_path / "a.mp4")
    assert len(frames) == 4 and abs(int(frames[2][..., 1].mean()) - 160) < 4
    data = (tmp_path / "a.mp4").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart
    assert oct((tmp_path / "a.mp4").stat().st_mode & 0o777) == "0o644"


def test_an_odd_size_is_a_clear_error_and_leaves_no_file(tmp_path):
    with pytest.raises(OddSize, match="even dimensions"):
        VideoWriter(tmp_path / "odd.mp4", 63, 48, 4)
    assert not list(tmp_path.iterdir())


def test_prores_is_an_option_for_installations(tmp_path):
    writer = VideoWriter(tmp_path / "a.mov", 64, 48, 4, codec="prores")
    writer.write(gradient(64, 48, 10))
    writer.close()
    with av.open(str(tmp_path / "a.mov")) as container:
        assert container.streams.video[0].codec_context.name == "prores"


def test_an_aborted_video_leaves_nothing_behind(tmp_path):
    writer = VideoWriter(tmp_path / "a.mp4", 64, 48, 4)
    writer.write(gradient(64, 48, 10))
    writer.abort()
    assert not list(tmp_path.iterdir())


def test_screens_cut_a_wide_frame_into_synchronised_files(tmp_path):
    screens = Screens(tmp_path / "wall.mp4", 32, 16, 4, 2)
    for shade in (0, 200):
        screens.write(gradient(64, 16, shade))
    manifest_path = screens.close()
    manifest = json.loads(manifest_path.read_text())
    assert [s["file"] for s in manifest["screens"]] == ["wall.screen-1.mp4", "wall.screen-2.mp4"]
    for entry in manifest["screens"]:
        assert entry["frames"] == 2 and entry["duration"] == 0.5
        assert entry["sha256"] == file_sha256(tmp_path / entry["file"])
    left, right = (decode(tmp_path / s["file"])[0] for s in manifest["screens"])
    assert right[..., 0].mean() > left[..., 0].mean() + 60  # the right half of the gradient
