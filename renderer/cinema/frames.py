"""The frame cache: every rendered frame on disk, addressed by what made it.

A frame's key hashes its shot, its index in the shot, the key of the frame it starts from,
the film-wide render settings and the network's weights. So a killed render resumes where
it stopped, and changing one shot re-renders that shot and what follows it (which starts
from it), nothing before. Each frame is two files, written atomically: the picture
(`KEY.png`, full size, no caption) and the state the next frame starts from
(`KEY.state.pt`: the working canvas and camera).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from renderer.cinema.encode import write_atomically
from renderer.spec import RENDERER_VERSION

CINEMA_VERSION = "3"  # 2: moves keep their detail; 3: a film's first full-size frame too


def frame_key(
    render_key: dict, shot: dict, frame: int, previous: str | None, weight_hash: str
) -> str:
    """Hex digest naming one frame by everything that determines its pixels."""
    payload = json.dumps(
        {
            "film": render_key,
            "shot": shot,
            "frame": frame,
            "previous": previous,
            "weights": weight_hash,
            "renderer": RENDERER_VERSION,
            "cinema": CINEMA_VERSION,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class FrameCache:
    """Frames in a folder: `folder/ab/abcdef….png` and `….state.pt`."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def image_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.png"

    def state_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.state.pt"

    def has(self, key: str) -> bool:
        """True when the frame is complete (its picture is written last)."""
        return self.image_path(key).exists() and self.state_path(key).exists()

    def image(self, key: str) -> np.ndarray:
        """The frame's pixels, (H, W, 3) uint8."""
        with Image.open(self.image_path(key)) as image:
            return np.array(image.convert("RGB"))  # writable: it becomes a tensor

    def state(self, key: str, device) -> dict:
        """The state the next frame starts from, its tensors on `device`."""
        state = torch.load(self.state_path(key), map_location=device, weights_only=True)
        return state

    def store(self, key: str, image: np.ndarray, state: dict) -> None:
        """Write the state, then the picture, each under a temporary name first."""
        buffer = io.BytesIO()
        torch.save({k: v.cpu() if torch.is_tensor(v) else v for k, v in state.items()}, buffer)
        data = buffer.getvalue()
        write_atomically(self.state_path(key), lambda path: Path(path).write_bytes(data))
        picture = Image.fromarray(image, "RGB")
        write_atomically(
            self.image_path(key), lambda path: picture.save(path, format="PNG", compress_level=1)
        )
