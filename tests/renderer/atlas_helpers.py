"""Activation atlases for the tests: the sample photographs without Django, and one
rendered atlas per set of inputs for the whole session (an atlas takes half a minute on
a CPU, most of it UMAP's first compilation and the batched render)."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image
from skimage import data

from renderer.activation_atlas import activation_atlas

# the sample corpus's photographs (catalog/corpora/samples.py)
PHOTOGRAPHS = (
    "astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "grass", "gravel",
    "hubble_deep_field", "immunohistochemistry", "moon", "retina", "rocket",
)  # fmt: skip
_rendered: dict[str, tuple] = {}


def photographs(names=PHOTOGRAPHS, crops: bool = True) -> list[Image.Image]:
    """scikit-image photographs and, with `crops`, their four corners at two thirds."""
    images = []
    for name in names:
        picture = Image.fromarray(getattr(data, name)()).convert("RGB")
        images.append(picture)
        if crops:
            width, height = picture.size
            w, h = round(width * 2 / 3), round(height * 2 / 3)
            for left, top in ((0, 0), (width - w, 0), (0, height - h), (width - w, height - h)):
                images.append(picture.crop((left, top, left + w, top + h)))
    return images


def _key(layer: str, images, options: dict) -> str:
    digest = hashlib.sha256(repr((layer, sorted(options.items()))).encode())
    for image in images:
        digest.update(np.asarray(image.convert("RGB")).tobytes())
    return digest.hexdigest()


def cached_atlas(network, layer_name, images, progress=None, **options):
    """`renderer.activation_atlas.activation_atlas`, computed once per session for the
    same layer, images and options; a later call replays the first one's progress."""
    images = list(images[: len(images)])
    key = _key(layer_name, images, options)
    if key not in _rendered:
        calls = []

        def record(stage, done, total):
            calls.append((stage, done, total))
            if progress:
                progress(stage, done, total)

        _rendered[key] = (
            activation_atlas(network, layer_name, images, progress=record, **options),
            calls,
        )
        return _rendered[key][0]
    result, calls = _rendered[key]
    for call in calls:
        if progress:
            progress(*call)
    return result
