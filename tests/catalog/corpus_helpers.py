"""A small corpus made on the spot: a two-shot video with subtitles, natural images from
scikit-image, and a file that only looks like a video."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image
from skimage import data

FPS = 10
CUT_AT = 3.0  # seconds: the first shot (a cat) ends, the second (a rocket) begins
DURATION = 6.0
SIZE = (160, 96)
SUBTITLES = """1
00:00:00,500 --> 00:00:01,500
The cat looks at the camera

2
00:00:04,000 --> 00:00:05,000
Lift-off at dawn
"""
IMAGES = {"astronaut.png": "astronaut", "coffee.jpg": "coffee", "camera.webp": "camera"}


def natural(name: str) -> Image.Image:
    """A scikit-image sample picture, in RGB."""
    return Image.fromarray(getattr(data, name)()).convert("RGB")


def write_video(path: Path) -> None:
    """Two shots, each a slow pan over a photograph: chelsea (the cat), then the rocket."""
    shots = [np.asarray(natural("chelsea")), np.asarray(natural("rocket"))]
    width, height = SIZE
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(int(DURATION * FPS)):
            time = index / FPS
            picture = shots[0] if time < CUT_AT else shots[1]
            x = 20 + 2 * index  # the camera pans: frames of a shot differ a little
            crop = Image.fromarray(picture[40 : 40 + 2 * height, x : x + 2 * width])
            frame = av.VideoFrame.from_ndarray(np.asarray(crop.resize(SIZE)), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def make_corpus_folder(folder: Path) -> Path:
    """The test corpus in `folder`: clip.mp4 + clip.srt, three images, one broken file."""
    folder.mkdir(parents=True, exist_ok=True)
    write_video(folder / "clip.mp4")
    (folder / "clip.srt").write_text(SUBTITLES, encoding="utf-8")
    stills = folder / "stills"
    stills.mkdir(exist_ok=True)
    for filename, name in IMAGES.items():
        natural(name).save(stills / filename)
    (folder / "broken.mov").write_bytes(b"this is not a video, whatever its name says")
    return folder
