"""Lucid's InceptionV1 (GoogLeNet) through lucent's modelzoo, as Distill's articles use it.

Its layers are those of the circuits articles' appendix; its public weights are downloaded
once into torch's hub cache, or read from a local file.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlparse

import torch

from renderer.errors import WeightsUnavailable
from renderer.networks.weights import load_weights
from renderer.zoo import (
    RANDOM_WEIGHTS,
    Network,
    file_hash,
    finish,
    imagenet_labels,
    register_network,
    seeded_random_init,
)

INCEPTION_LAYERS = ["conv2d0", "conv2d1", "conv2d2"] + [
    f"mixed{block}" for block in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")
]


@register_network("inceptionv1")
def load_inceptionv1(weights: str | None, device: torch.device) -> Network:
    """Lucid's InceptionV1 (GoogLeNet) through lucent's modelzoo.

    Weights: a local file, "random", or the public download when this machine is online.
    """
    from lucent.modelzoo.inceptionv1.InceptionV1 import InceptionV1, model_urls

    model = InceptionV1(pretrained=False)
    if weights == RANDOM_WEIGHTS:
        weight_hash = seeded_random_init(model)
    else:
        weights = weights or _download(model_urls["inceptionv1"], "inceptionv1")
        load_weights(model, weights, "lucent's InceptionV1")
        weight_hash = file_hash(weights)
    candidates = {name: name for name in INCEPTION_LAYERS}
    candidates["logits"] = "softmax2_pre_activation_matmul"
    labels = _inception_labels()

    def preprocess(image: torch.Tensor) -> torch.Tensor:
        return image * 255 - 117

    return finish("inceptionv1", model, candidates, preprocess, labels, weight_hash, device)


def _inception_labels() -> list[str]:
    # Lucid's InceptionV1 has 1008 outputs: a "dummy" class, ImageNet's 1000, and 7 unused.
    return ["dummy"] + imagenet_labels() + [f"unused {i}" for i in range(7)]


def _download(url: str, name: str) -> str:
    """Fetch `url` into torch's hub cache, failing fast and clearly when offline."""
    cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(url).path).name
    if cached.exists():
        return str(cached)
    host = urlparse(url).hostname
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError as exc:
        raise WeightsUnavailable(
            f"{name} needs pretrained weights: pass a local file (--weights FILE), "
            f"or run once on a machine that can reach {host} ({exc})"
        ) from exc
    cached.parent.mkdir(parents=True, exist_ok=True)
    torch.hub.download_url_to_file(url, str(cached), progress=True)
    return str(cached)
