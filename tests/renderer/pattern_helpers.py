"""A taxonomy no ImageNet network was taught: checks, dots and stripes in random colours."""

import numpy as np
from PIL import Image, ImageDraw

PATTERNS = ("checks", "dots", "stripes")


def pattern_image(kind: str, rng: np.random.Generator, size: int = 64) -> Image.Image:
    """A pattern in two random colours, so that colour says nothing about the class."""
    ground, ink = (tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(2))
    image = Image.new("RGB", (size, size), ground)
    draw = ImageDraw.Draw(image)
    step = int(rng.integers(8, 14))
    offset = int(rng.integers(0, step))
    for a in range(-step + offset, size, step):
        if kind == "stripes":
            draw.rectangle((0, a, size, a + step // 2), fill=ink)
        for b in range(-step + offset, size, step):
            if kind == "checks" and (a // step + b // step) % 2:
                draw.rectangle((a, b, a + step - 1, b + step - 1), fill=ink)
            if kind == "dots":
                draw.ellipse((a + 2, b + 2, a + step - 2, b + step - 2), fill=ink)
    noise = rng.normal(0, 12, (size, size, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))
