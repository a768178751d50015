"""Training: fine-tune a zoo network to a taxonomy of one's own (shot scale, lighting…).

`train(examples, "net.pt")` takes labelled images, holds out a stratified, seeded share
of each class, and fine-tunes the base network (efficientnet-lite0 with its ImageNet
weights by default): a new head whose logits carry the new labels, plus the last few
layers of the base, the rest frozen, so that a few hundred frames train in minutes on a
CPU. Training images are augmented (random resized crop, flip, colour jitter); training
stops early when held-out accuracy stops improving, keeps the best epoch and saves it
with `renderer.networks.trained.save_trained`, which `load_network(..., arch="trained")` reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision.transforms import v2

from renderer.errors import SpecError
from renderer.networks.trained import replace_head, save_trained
from renderer.zoo import Network, load_network


@dataclass(frozen=True)
class Example:
    """One labelled image: a file path or a PIL image."""

    image: str | Path | Image.Image
    label: str


@dataclass(frozen=True)
class TrainingOptions:
    """How to train; a bad value raises `SpecError` naming the field."""

    base: str = "efficientnet-lite0"
    epochs: int = 10
    input_size: int = 128  # the trained network's input size too
    batch_size: int = 32
    learning_rate: float = 1e-3  # the head's; the unfrozen base layers learn 10× slower
    val_fraction: float = 0.2
    patience: int = 3  # epochs without a higher held-out accuracy before stopping
    trainable_layers: int = 3  # the base's last atlas layers that learn, besides the head
    seed: int = 0

    def __post_init__(self) -> None:
        positive = ("epochs", "input_size", "batch_size", "patience")
        for name in positive:
            if getattr(self, name) < 1:
                raise SpecError(name, f"must be at least 1, not {getattr(self, name)}")
        if self.input_size < 32:
            raise SpecError("input_size", f"must be at least 32 pixels, not {self.input_size}")
        if not 0 < self.val_fraction < 1:
            raise SpecError("val_fraction", f"must be between 0 and 1, not {self.val_fraction}")
        if self.learning_rate < 0:
            raise SpecError("learning_rate", f"must not be negative, not {self.learning_rate}")
        if self.trainable_layers < 0:
            raise SpecError("trainable_layers", "must not be negative")


@dataclass(frozen=True)
class EpochReport:
    """One epoch: loss and accuracy on the (augmented) training images, held-out accuracy."""

    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float
    val_accuracy: float
    seconds: float
    best: bool


@dataclass
class TrainingResult:
    """What training produced: accuracies of the kept epoch, its held-out confusion matrix
    (rows: true class, columns: predicted, in the order of `classes`), the saved file."""

    classes: list[str]
    train_accuracy: float
    val_accuracy: float
    confusion: list[list[int]]
    best_epoch: int
    stopped_early: bool
    train_frames: int
    val_frames: int
    seconds: float
    weights: str
    options: dict
    epochs: list[EpochReport] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


Progress = Callable[[EpochReport], None]


def train(
    examples: Sequence[Example],
    output: str | Path,
    options: TrainingOptions | None = None,
    progress: Progress | None = None,
    device: str | torch.device = "cpu",
) -> TrainingResult:
    """Fine-tune `options.base` to the examples' labels and save it to `output`.

    `progress` is called once per epoch with its `EpochReport`. Deterministic for a
    given seed on one device; the global random state is left as it was.
    """
    options = options or TrainingOptions()
    started = time.perf_counter()
    classes = check_examples(examples)
    targets = torch.tensor([classes.index(example.label) for example in examples])
    train_ids, val_ids = stratified_split(targets.tolist(), options.val_fraction, options.seed)
    images = [load_image(example.image, options.input_size) for example in examples]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(options.seed)
        network = network_to_train(options, len(classes), torch.device(device))
        val_batch = evaluation_batch([images[i] for i in val_ids], options.input_size)
        loop = TrainingLoop(network, options, class_weights(targets[train_ids], len(classes)))
        history, best_state = loop.run(
            [images[i] for i in train_ids],
            targets[train_ids],
            val_batch,
            targets[val_ids],
            progress,
        )
    network.model.load_state_dict(best_state)
    train_batch = evaluation_batch([images[i] for i in train_ids], options.input_size)
    train_accuracy = accuracy(predict(network, train_batch), targets[train_ids])
    val_predictions = predict(network, val_batch)
    save_trained(output, options.base, classes, options.input_size, network.model)
    return TrainingResult(
        classes=classes,
        train_accuracy=train_accuracy,
        val_accuracy=accuracy(val_predictions, targets[val_ids]),
        confusion=confusion_matrix(targets[val_ids], val_predictions, len(classes)),
        best_epoch=max(report.epoch for report in history if report.best),
        stopped_early=len(history) < options.epochs,
        train_frames=len(train_ids),
        val_frames=len(val_ids),
        seconds=round(time.perf_counter() - started, 1),
        weights=str(output),
        options=asdict(options),
        epochs=history,
    )


def check_examples(examples: Sequence[Example], unit: str = "images") -> list[str]:
    """The sorted classes; at least two, each with two examples (one to train, one held out)."""
    counts: dict[str, int] = {}
    for example in examples:
        if not str(example.label).strip():
            raise SpecError("label", f"an example has an empty label ({example.image})")
        counts[example.label] = counts.get(example.label, 0) + 1
    if len(counts) < 2:
        raise SpecError("labels", f"training needs at least 2 classes, got {sorted(counts)}")
    scarce = sorted(label for label, count in counts.items() if count < 2)
    if scarce:
        raise SpecError("labels", f"each class needs at least 2 {unit}; too few: {scarce}")
    return sorted(counts)


def stratified_split(
    targets: Sequence[int], val_fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Indices to train on and to hold out: the same share of every class, at least one
    of each class on both sides, chosen by a seeded shuffle."""
    generator = np.random.default_rng(seed)
    train_ids: list[int] = []
    val_ids: list[int] = []
    for target in sorted(set(targets)):
        members = [i for i, t in enumerate(targets) if t == target]
        generator.shuffle(members)
        held = min(max(1, round(len(members) * val_fraction)), len(members) - 1)
        val_ids += members[:held]
        train_ids += members[held:]
    return sorted(train_ids), sorted(val_ids)


def load_image(image: str | Path | Image.Image, input_size: int) -> torch.Tensor:
    """An RGB uint8 (3, H, W) tensor whose shorter side is a little above the input size
    (room for the random crops), so that frames stay small in memory."""
    if not isinstance(image, Image.Image):
        with Image.open(image) as opened:
            image = opened.convert("RGB")
    image = image.convert("RGB")
    short = round(input_size * 1.15)
    scale = short / min(image.size)
    size = (max(short, round(image.width * scale)), max(short, round(image.height * scale)))
    image = image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1)


def augmentation(input_size: int) -> v2.Compose:
    """The training transforms: the network sees each frame differently every epoch."""
    return v2.Compose(
        [
            v2.RandomResizedCrop(input_size, scale=(0.5, 1.0), antialias=True),
            v2.RandomHorizontalFlip(),
            v2.ToDtype(torch.float32, scale=True),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.03),
        ]
    )


def evaluation_batch(images: Sequence[torch.Tensor], input_size: int) -> torch.Tensor:
    """The images centre-cropped to the input size, in [0, 1]: how held-out frames are seen."""
    crop = v2.Compose(
        [
            v2.Resize(input_size, antialias=True),
            v2.CenterCrop(input_size),
            v2.ToDtype(torch.float32, scale=True),
        ]
    )
    return torch.stack([crop(image) for image in images])


def network_to_train(options: TrainingOptions, classes: int, device: torch.device) -> Network:
    """The base network with a new head; the head and the last layers learn, the rest is
    frozen. BatchNorm keeps its ImageNet statistics (eval mode): a few hundred frames in
    small batches would only blur them."""
    network = load_network(options.base, device=device)
    kept = [layer for layer in network.layers if layer.kind != "logits"]
    count = min(options.trainable_layers, len(kept))
    first = kept[-count].module if count else None
    learning = False  # parameters come in forward order: learning from `first` on
    for name, parameter in network.model.named_parameters():
        learning = learning or (first is not None and name.startswith(f"{first}."))
        parameter.requires_grad_(learning)
    replace_head(network, classes)
    network.model.eval()
    return network


def class_weights(targets: torch.Tensor, classes: int) -> torch.Tensor:
    """Inverse class frequencies: a rare class counts as much as a common one."""
    counts = torch.bincount(targets, minlength=classes).float().clamp(min=1)
    return counts.sum() / (classes * counts)


class TrainingLoop:
    """The epochs: train on augmented batches, measure held-out accuracy, stop early."""

    def __init__(
        self,
        network: Network,
        options: TrainingOptions,
        weights: torch.Tensor,
        augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
        groups: list[dict] | None = None,
        train_mode: bool = False,
    ):
        """`augment` maps one stored example to the network's input (default: an image's
        augmentation); `groups` are the optimizer's parameter groups (default: the head at
        the learning rate, the unfrozen base layers 10× slower); with `train_mode` the
        model is in training mode (its new BatchNorm layers learn) during each epoch."""
        self.network, self.options = network, options
        self.weights = weights.to(network.device)
        self.augment = augment or augmentation(options.input_size)
        self.optimizer = torch.optim.AdamW(groups or self.fine_tuning(), weight_decay=1e-4)
        self.train_mode = train_mode

    def fine_tuning(self) -> list[dict]:
        network, rate = self.network, self.options.learning_rate
        head = network.model.get_submodule(network.layer("logits").module)
        head_ids = {id(p) for p in head.parameters()}
        body = [p for p in network.model.parameters() if p.requires_grad and id(p) not in head_ids]
        groups = [{"params": list(head.parameters()), "lr": rate}]
        if body:
            groups.append({"params": body, "lr": rate / 10})
        return groups

    def run(self, images, targets, val_batch, val_targets, progress):
        history: list[EpochReport] = []
        best_key, best_state, since_best = None, None, 0
        for epoch in range(1, self.options.epochs + 1):
            started = time.perf_counter()
            train_loss, train_accuracy = self.epoch(images, targets)
            logits = predict_logits(self.network, val_batch)
            val_accuracy = accuracy(logits.argmax(dim=1), val_targets)
            val_loss = float(F.cross_entropy(logits, val_targets.to(logits.device)))
            # Patience counts epochs since held-out accuracy last rose; the epoch kept is
            # the most accurate, the one with the lower held-out loss among equals.
            key = (val_accuracy, -val_loss)
            improved = best_key is None or key > best_key
            since_best = 0 if best_key is None or val_accuracy > best_key[0] else since_best + 1
            if improved:
                best_key = key
                best_state = {
                    k: v.detach().clone() for k, v in self.network.model.state_dict().items()
                }
            report = EpochReport(
                epoch,
                self.options.epochs,
                round(train_loss, 4),
                round(train_accuracy, 4),
                round(val_accuracy, 4),
                round(time.perf_counter() - started, 2),
                improved,
            )
            history.append(report)
            if progress is not None:
                progress(report)
            if since_best >= self.options.patience:
                break
        return history, best_state

    def epoch(self, images: list[torch.Tensor], targets: torch.Tensor) -> tuple[float, float]:
        """One pass over the training images in shuffled batches: mean loss and accuracy."""
        device, size = self.network.device, self.options.batch_size
        order = torch.randperm(len(images))
        total_loss, correct = 0.0, 0
        self.network.model.train(self.train_mode)
        for start in range(0, len(images), size):
            ids = order[start : start + size]
            batch = torch.stack([self.augment(images[i]) for i in ids]).to(device)
            batch_targets = targets[ids].to(device)
            logits = self.network.model(self.network.preprocess(batch))
            loss = F.cross_entropy(logits, batch_targets, weight=self.weights)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total_loss += float(loss.detach()) * len(ids)
            correct += int((logits.argmax(dim=1) == batch_targets).sum())
        self.network.model.eval()
        return total_loss / len(images), correct / len(images)


@torch.no_grad()
def predict_logits(network: Network, batch: torch.Tensor, size: int = 64) -> torch.Tensor:
    """The network's logits for a batch of [0, 1] images, computed in chunks."""
    chunks = [
        network.model(network.preprocess(batch[i : i + size].to(network.device))).float().cpu()
        for i in range(0, len(batch), size)
    ]
    return torch.cat(chunks)


def predict(network: Network, batch: torch.Tensor) -> torch.Tensor:
    """The predicted class index of each image."""
    return predict_logits(network, batch).argmax(dim=1)


def accuracy(predictions: torch.Tensor, targets: torch.Tensor) -> float:
    """The share of predictions that are right (0 for no predictions)."""
    if len(targets) == 0:
        return 0.0
    return round(float((predictions.cpu() == targets.cpu()).float().mean()), 4)


def confusion_matrix(targets: torch.Tensor, predictions: torch.Tensor, classes: int) -> list:
    """Counts of (true class, predicted class) as a list of rows."""
    matrix = torch.zeros(classes, classes, dtype=torch.long)
    for target, prediction in zip(targets.tolist(), predictions.tolist(), strict=True):
        matrix[target, prediction] += 1
    return matrix.tolist()
