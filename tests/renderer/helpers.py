"""Measuring stills with the network itself."""

import hashlib
import io

import numpy as np
import torch
from PIL import Image, ImageDraw

from renderer.layers import capture, forward_until


def as_tensor(image: Image.Image) -> torch.Tensor:
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255
    return torch.from_numpy(array).permute(2, 0, 1)[None]


def channel_mean(network, layer_name: str, channel: int, image: Image.Image) -> float:
    """The mean activation of one channel on an image, as the network computes it."""
    layer = network.layer(layer_name)
    with torch.no_grad(), capture(network.model, {layer.name: layer.module}, layer.name) as acts:
        forward_until(network.model, network.preprocess(as_tensor(image)))
    values = acts[layer.name][0, channel]
    return float(values.mean())


def make_photograph() -> tuple[Image.Image, str]:
    """A small made-up photograph (sky, meadow, sun) and its SHA-256."""
    image = Image.new("RGB", (160, 120), (120, 160, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 80, 160, 120), fill=(90, 140, 60))
    draw.ellipse((60, 30, 110, 80), fill=(230, 200, 60))
    data = io.BytesIO()
    image.save(data, "PNG")
    return image, hashlib.sha256(data.getvalue()).hexdigest()


def gram_similarity(network, layer_name: str, images: list[Image.Image]) -> float:
    """Mean pairwise cosine similarity of the images' Gram matrices at a layer."""
    layer = network.layer(layer_name)
    batch = torch.cat([as_tensor(image) for image in images])
    with torch.no_grad(), capture(network.model, {layer.name: layer.module}, layer.name) as acts:
        forward_until(network.model, network.preprocess(batch))
    features = acts[layer.name].flatten(2)
    gram = torch.nn.functional.normalize((features @ features.transpose(1, 2)).flatten(1), dim=1)
    similarity = gram @ gram.T
    count = len(images)
    return float((similarity.sum() - similarity.diagonal().sum()) / (count * (count - 1)))


def upload_of(image: Image.Image, name: str) -> io.BytesIO:
    """`image` as a file a browser would upload, its format taken from `name`'s extension."""
    formats = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
    upload = io.BytesIO()
    image.save(upload, formats[name.rsplit(".", 1)[-1]])
    upload.seek(0)
    upload.name = name
    return upload
