"""Video files with PyAV: H.264 yuv420p MP4 (faststart, BT.709) or ProRes 422 HQ.

PyAV's wheel ships FFmpeg with libx264, so frames are encoded in this process. An odd
width or height is an error, never a silent rescale. A file is written under a temporary
name and renamed when complete, so a killed render never leaves half a film. `Screens`
cuts each frame into N synchronised files and writes a manifest for an installation.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc

CODECS = {
    # name: (FFmpeg encoder, pixel format, container format, encoder options)
    "h264": ("libx264", "yuv420p", "mp4", {"crf": "18", "preset": "medium"}),
    "prores": ("prores_ks", "yuv422p10le", "mov", {"profile": "3"}),  # 422 HQ
}


class OddSize(ValueError):
    """A frame size that yuv420p cannot hold without rescaling."""


def check_even(width: int, height: int) -> None:
    """Refuse sizes that H.264 yuv420p cannot encode as they are."""
    if width % 2 or height % 2 or width < 2 or height < 2:
        raise OddSize(
            f"video frames need even dimensions (yuv420p), got {width}×{height}: "
            "choose an even width and height"
        )


def write_atomically(path: Path, write: Callable[[str], None], mode: int = 0o644) -> None:
    """Call `write(temporary_path)` in `path`'s folder, then rename it to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class VideoWriter:
    """Frames in, one video file out: `write(rgb)` each (H, W, 3) uint8 array, then
    `close()`; `abort()` removes the unfinished file."""

    def __init__(self, path, width: int, height: int, fps: int, codec: str = "h264"):
        check_even(width, height)
        if codec not in CODECS:
            raise ValueError(f"codec must be one of {', '.join(CODECS)}, got {codec!r}")
        encoder, pixel_format, container_format, options = CODECS[codec]
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, self.temporary = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part"
        )
        os.close(handle)
        self.size, self.frames, self.pixel_format = (width, height), 0, pixel_format
        self.container = av.open(
            self.temporary, "w", format=container_format, options={"movflags": "+faststart"}
        )
        self.stream = self.container.add_stream(encoder, rate=fps, options=options)
        self.stream.width, self.stream.height = width, height
        self.stream.pix_fmt = pixel_format
        context = self.stream.codec_context
        context.color_primaries = ColorPrimaries.BT709
        context.color_trc = ColorTrc.BT709
        context.colorspace = Colorspace.ITU709
        context.color_range = ColorRange.MPEG

    def write(self, rgb: np.ndarray) -> None:
        """Encode one frame, (height, width, 3) uint8 RGB."""
        if rgb.shape != (self.size[1], self.size[0], 3):
            raise ValueError(f"frame is {rgb.shape}, the video is {self.size[0]}×{self.size[1]}")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame = frame.reformat(
            format=self.pixel_format,
            dst_colorspace=Colorspace.ITU709,
            dst_color_range=ColorRange.MPEG,
        )
        frame.pts = self.frames
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        """Flush the encoder and put the file in place."""
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()
        os.chmod(self.temporary, 0o644)
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        try:
            self.container.close()
        except Exception:  # noqa: BLE001 - the file is thrown away anyway
            pass
        Path(self.temporary).unlink(missing_ok=True)


class Screens:
    """One film cut into `count` side-by-side screens, each its own frame-synchronised
    file; `close()` writes the manifest (screen, file, frames, fps, duration, sha256)."""

    def __init__(self, output, width: int, height: int, fps: int, count: int, codec="h264"):
        self.output, self.fps, self.count = Path(output), fps, count
        self.width = width
        self.paths = screen_paths(self.output, count)
        self.writers: list[VideoWriter] = []
        try:
            for path in self.paths:
                self.writers.append(VideoWriter(path, width, height, fps, codec))
        except BaseException:
            self.abort()
            raise

    def write(self, rgb: np.ndarray) -> None:
        """Write a frame `count` screens wide; screen i gets the i-th slice."""
        for i, writer in enumerate(self.writers):
            writer.write(rgb[:, i * self.width : (i + 1) * self.width])

    def close(self) -> Path | None:
        for writer in self.writers:
            writer.close()
        if self.count == 1:
            return None
        manifest = manifest_path(self.output)
        entries = [
            {
                "screen": i + 1,
                "file": writer.path.name,
                "frames": writer.frames,
                "fps": self.fps,
                "duration": round(writer.frames / self.fps, 6),
                "sha256": file_sha256(writer.path),
            }
            for i, writer in enumerate(self.writers)
        ]
        data = {"screens": entries, "size": [self.width, self.writers[0].size[1]]}
        text = json.dumps(data, indent=2) + "\n"
        write_atomically(manifest, lambda temporary: Path(temporary).write_text(text))
        return manifest

    def abort(self) -> None:
        for writer in self.writers:
            writer.abort()


def screen_paths(output: Path, count: int) -> list[Path]:
    """`film.mp4` for one screen; `film.screen-1.mp4`, `film.screen-2.mp4`, … for more."""
    if count == 1:
        return [output]
    return [
        output.with_name(f"{output.stem}.screen-{i}{output.suffix}") for i in range(1, count + 1)
    ]


def manifest_path(output: Path) -> Path:
    """Where the manifest of a multi-screen film goes: `film.manifest.json`."""
    return output.with_name(f"{output.stem}.manifest.json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
