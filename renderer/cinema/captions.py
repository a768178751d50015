"""Captions: a shot's title drawn into its frames (never into what is optimized)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FADE_SECONDS = 0.5
HEIGHT_SHARE = 0.055  # text height, as a share of the frame height


def draw_caption(frame: np.ndarray, text: str, opacity: float = 1.0) -> np.ndarray:
    """`frame` (H, W, 3) uint8 with `text` in the lower left, white on a soft shadow."""
    if not text or opacity <= 0:
        return frame
    image = Image.fromarray(frame, "RGB").convert("RGBA")
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    height = image.size[1]
    font = _font(max(8, round(height * HEIGHT_SHARE)))
    margin = max(4, round(height * 0.05))
    left, bottom = margin, height - margin
    box = draw.textbbox((left, bottom), text, font=font, anchor="ls")
    pad = max(2, round(height * 0.012))
    alpha = round(255 * min(1.0, opacity))
    draw.rectangle(
        (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), fill=(0, 0, 0, alpha // 2)
    )
    draw.text((left, bottom), text, font=font, anchor="ls", fill=(255, 255, 255, alpha))
    return np.asarray(Image.alpha_composite(image, layer).convert("RGB"))


def caption_opacity(frame: int, frames: int, fps: int) -> float:
    """Captions fade in over the shot's first half second and out over its last."""
    fade = max(1.0, FADE_SECONDS * fps)
    return max(0.0, min(1.0, (frame + 1) / fade, (frames - frame) / fade))


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()
