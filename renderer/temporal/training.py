"""Training a temporal network on labelled clips.

`train_clips(clips, "net.pt", options, frames=8)` builds a temporal network on the base
(`renderer.networks.temporal`: frozen ImageNet features per frame, temporal convolutions
and a head that learn), holds out a stratified, seeded share of each class, augments each
clip the same way in all its frames (one crop, one colour change; never a mirror or a
reversal, which would turn a pan left into a pan right), stops early and keeps the best
epoch, as `renderer.training` does for images.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import v2

from renderer.errors import SpecError
from renderer.networks.temporal import build_temporal, save_temporal
from renderer.temporal.motion import OPPOSITES
from renderer.training import (
    Example,
    Progress,
    TrainingLoop,
    TrainingOptions,
    TrainingResult,
    accuracy,
    check_examples,
    class_weights,
    confusion_matrix,
    load_image,
    predict,
    stratified_split,
)

DEFAULT_FRAMES = 8
# The temporal layers learn from scratch: held-out accuracy sits at chance for some epochs
# before motion is found, so training is longer, more patient, in smaller batches.
TEMPORAL_DEFAULTS = {"epochs": 20, "patience": 8, "batch_size": 8, "learning_rate": 3e-3}


@dataclass(frozen=True)
class Clip:
    """F consecutive frames, (F, H, W, 3) uint8, with their label and where they come from."""

    frames: np.ndarray
    label: str
    source: str = ""
    start: float = 0.0
    end: float = 0.0

    @property
    def title(self) -> str:
        return f"{self.source} {self.start:.2f}–{self.end:.2f} s" if self.source else "a clip"


def clip_tensor(frames: np.ndarray, input_size: int) -> torch.Tensor:
    """(F, 3, H, W) uint8, each frame's shorter side a little above the input size."""
    return torch.stack([load_image(Image.fromarray(frame), input_size) for frame in frames])


def clip_augmentation(input_size: int):
    """One random crop and colour change for all frames of a clip; (F, 3, H, W) uint8 in,
    (3, F, S, S) float out, as the network reads clips."""
    augment = v2.Compose(
        [
            v2.RandomResizedCrop(input_size, scale=(0.6, 1.0), ratio=(0.9, 1.1), antialias=True),
            v2.ToDtype(torch.float32, scale=True),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.03),
        ]
    )
    return lambda clip: augment(clip).transpose(0, 1)


def clip_evaluation_batch(clips: Sequence[torch.Tensor], input_size: int) -> torch.Tensor:
    """The clips centre-cropped to the input size: (N, 3, F, S, S) in [0, 1]."""
    crop = v2.Compose(
        [
            v2.Resize(input_size, antialias=True),
            v2.CenterCrop(input_size),
            v2.ToDtype(torch.float32, scale=True),
        ]
    )
    return torch.stack([crop(clip).transpose(0, 1) for clip in clips])


def check_clips(clips: Sequence[Clip], frames: int) -> list[str]:
    """The sorted classes (as `check_examples`), every clip `frames` long."""
    if frames < 2:
        raise SpecError("frames", f"a clip needs at least 2 frames, not {frames}")
    short = [clip.title for clip in clips if len(clip.frames) != frames]
    if short:
        raise SpecError("frames", f"{len(short)} clips are not {frames} frames long: {short[:3]}")
    return check_examples([Example(clip.title, clip.label) for clip in clips], unit="clips")


def played_backwards(
    tensors: list[torch.Tensor], targets: torch.Tensor, classes: list[str]
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The training clips, and each clip whose class has an opposite among the classes
    (a pan left and a pan right, a zoom in and a zoom out) played backwards as that
    opposite: the same pictures then carry both labels, so only the motion tells them
    apart, and the network cannot learn a class from what a photograph shows."""
    extra, extra_targets = [], []
    for tensor, target in zip(tensors, targets.tolist(), strict=True):
        opposite = OPPOSITES.get(classes[target])
        if opposite in classes and opposite != classes[target]:
            extra.append(tensor.flip(0))
            extra_targets.append(classes.index(opposite))
    return tensors + extra, torch.cat([targets, torch.tensor(extra_targets, dtype=torch.long)])


def train_clips(
    clips: Sequence[Clip],
    output,
    options: TrainingOptions | None = None,
    frames: int = DEFAULT_FRAMES,
    progress: Progress | None = None,
    device: str | torch.device = "cpu",
) -> TrainingResult:
    """Train a temporal network on the clips' labels and save it to `output`."""
    options = options or TrainingOptions(**TEMPORAL_DEFAULTS)
    started = time.perf_counter()
    classes = check_clips(clips, frames)
    targets = torch.tensor([classes.index(clip.label) for clip in clips])
    train_ids, val_ids = stratified_split(targets.tolist(), options.val_fraction, options.seed)
    tensors = [clip_tensor(clip.frames, options.input_size) for clip in clips]
    train_tensors, train_targets = played_backwards(
        [tensors[i] for i in train_ids], targets[train_ids], classes
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(options.seed)
        network = build_temporal(
            "training", options.base, classes, frames, options.input_size, device=device
        )
        groups = [{"params": network.model.learnable(), "lr": options.learning_rate}]
        val_batch = clip_evaluation_batch([tensors[i] for i in val_ids], options.input_size)
        loop = TrainingLoop(
            network,
            options,
            class_weights(train_targets, len(classes)),
            augment=clip_augmentation(options.input_size),
            groups=groups,
            train_mode=True,
        )
        history, best_state = loop.run(
            train_tensors, train_targets, val_batch, targets[val_ids], progress
        )
    network.model.load_state_dict(best_state)
    train_batch = clip_evaluation_batch([tensors[i] for i in train_ids], options.input_size)
    val_predictions = predict(network, val_batch)
    save_temporal(output, network)
    return TrainingResult(
        classes=classes,
        train_accuracy=accuracy(predict(network, train_batch), targets[train_ids]),
        val_accuracy=accuracy(val_predictions, targets[val_ids]),
        confusion=confusion_matrix(targets[val_ids], val_predictions, len(classes)),
        best_epoch=max(report.epoch for report in history if report.best),
        stopped_early=len(history) < options.epochs,
        train_frames=len(train_ids),
        val_frames=len(val_ids),
        seconds=round(time.perf_counter() - started, 1),
        weights=str(output),
        options={**asdict(options), "frames": frames, "temporal": True},
        epochs=history,
    )
