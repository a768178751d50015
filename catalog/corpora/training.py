"""Training a network on a corpus: frames labelled by a CSV or by their folders, trained
by `renderer.training`, registered as a network like any other, its report kept beside it.

A trained network's files live in `ATLAS_PRIVATE_ROOT/networks/NAME/`: `weights.pt` (the
checkpoint the zoo loads with `arch="trained"`), `labels.txt` and `report.json`
(accuracies, confusion matrix, epochs), which the training page shows.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path

from django.conf import settings

from catalog.atlas.models import Network
from catalog.atlas.registration import register_network
from catalog.corpora.models import Corpus, Frame
from catalog.files import write_atomically
from renderer.training import EpochReport, Example, TrainingOptions, train
from renderer.zoo import TRAINED_ARCH, default_device

FOLDERS = "folders"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class TrainingInputError(ValueError):
    """Bad input to `train_network`; the message names what is wrong, nothing changed."""


def network_folder(name: str) -> Path:
    return Path(settings.ATLAS_PRIVATE_ROOT) / "networks" / name


def check_new_network_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise TrainingInputError(
            f"network name {name!r}: use letters, digits, '.', '_' and '-' (at most 100)"
        )
    if Network.objects.filter(name=name).exists():
        raise TrainingInputError(f"network name {name!r} is taken; choose another name")


def corpus_named(name: str) -> Corpus:
    corpus = Corpus.objects.filter(name=name).first()
    if corpus is None:
        known = ", ".join(Corpus.objects.values_list("name", flat=True)) or "none yet"
        raise TrainingInputError(f"unknown corpus {name!r} (corpora: {known})")
    return corpus


def read_label_rules(path: str | Path) -> list[tuple[int, str, str]]:
    """The CSV's rows as (line, file pattern, label); its header must be `file,label`."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise TrainingInputError(f"labels: cannot read {str(path)!r}: {exc.strerror}") from exc
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if header[:2] != ["file", "label"]:
        raise TrainingInputError(
            f"labels: {str(path)!r} needs the header 'file,label' on its first line, "
            f"got {','.join(rows[0]) if rows else 'an empty file'!r}"
        )
    rules = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise TrainingInputError(f"labels: line {line} needs a file and a label: {row}")
        rules.append((line, row[0].strip().removeprefix("./"), row[1].strip()))
    return rules


def labelled_frames(corpus: Corpus, labels: str) -> list[tuple[Frame, str]]:
    """Each labelled frame with its label: from the CSV at `labels` (later lines win over
    earlier ones), or the first folder of each frame's source for `labels="folders"`."""
    frames = list(corpus.frames.order_by("id"))
    if not frames:
        raise TrainingInputError(f"corpus {corpus.name!r} has no frames; run add_corpus first")
    if labels == FOLDERS:
        pairs = [(frame, frame.source.split("/")[0]) for frame in frames if "/" in frame.source]
        if not pairs:
            raise TrainingInputError(
                f"labels: no frame of corpus {corpus.name!r} is in a folder, and "
                "'--labels folders' labels each frame by its first folder"
            )
        return pairs
    chosen: dict[int, tuple[Frame, str]] = {}
    for line, pattern, label in read_label_rules(labels):
        pattern = relative_to_corpus(pattern, corpus.folder)
        matched = [frame for frame in frames if source_matches(frame.source, pattern)]
        if not matched:
            raise TrainingInputError(
                f"labels: line {line}: {pattern!r} (label {label!r}) matches no frame of "
                f"corpus {corpus.name!r}"
            )
        chosen.update((frame.id, (frame, label)) for frame in matched)
    return list(chosen.values())


def relative_to_corpus(pattern: str, folder: str) -> str:
    """An absolute path within the corpus folder as a path relative to it."""
    if not Path(pattern).is_absolute():
        return pattern
    try:
        return Path(pattern).relative_to(folder).as_posix()
    except ValueError:
        return pattern  # outside the corpus: it matches no frame, which is reported


def source_matches(source: str, pattern: str) -> bool:
    """A path relative to the corpus folder, or a glob (`*` also crosses folders); a
    video's label applies to all its frames since they share its source."""
    return source == pattern or fnmatchcase(source, pattern)


def examples_of(pairs: list[tuple[Frame, str]]) -> list[Example]:
    if len({label for _, label in pairs}) < 2:
        found = sorted({label for _, label in pairs})
        raise TrainingInputError(f"labels: training needs at least 2 classes, found {found}")
    return [Example(frame.image.path, label) for frame, label in pairs]


def train_network(
    name: str,
    corpus_name: str,
    labels: str,
    options: TrainingOptions,
    progress: Callable[[EpochReport], None] | None = None,
) -> tuple[Network, dict]:
    """Train, register and report: the new network's row and its report."""
    check_new_network_name(name)
    corpus = corpus_named(corpus_name)
    examples = examples_of(labelled_frames(corpus, labels))
    folder = network_folder(name)
    weights = folder / "weights.pt"
    result = train(examples, weights, options, progress, device=default_device())
    labels_file = folder / "labels.txt"
    write_atomically(labels_file, lambda out: out.write("\n".join(result.classes).encode()))
    network = register_network(
        name, weights=str(weights), arch=TRAINED_ARCH, labels=str(labels_file)
    )
    report = {"network": name, "corpus": corpus.name, "frames": len(examples)}
    report.update(result.as_dict())
    text = json.dumps(report, indent=1)
    write_atomically(folder / "report.json", lambda out: out.write(text.encode()))
    return network, report


def train_temporal_network(
    name: str,
    corpus_name: str,
    labels: str,
    options: TrainingOptions,
    frames: int,
    rate: float | None = None,
    progress: Callable[[EpochReport], None] | None = None,
) -> tuple[Network, dict]:
    """Train a temporal network on clips of the corpus's videos, labelled by a CSV or
    (`labels="motion"`) by their camera movement; register and report it."""
    from catalog.corpora.clips import labelled_clips
    from renderer.networks.temporal import TEMPORAL_ARCH
    from renderer.temporal.training import train_clips

    check_new_network_name(name)
    corpus = corpus_named(corpus_name)
    clips = labelled_clips(corpus, labels, frames, rate)
    folder = network_folder(name)
    weights = folder / "weights.pt"
    result = train_clips(clips, weights, options, frames, progress, device=default_device())
    labels_file = folder / "labels.txt"
    write_atomically(labels_file, lambda out: out.write("\n".join(result.classes).encode()))
    network = register_network(
        name, weights=str(weights), arch=TEMPORAL_ARCH, labels=str(labels_file)
    )
    report = {
        "network": name,
        "corpus": corpus.name,
        "frames": len(clips),
        "clips": len(clips),
        "clip_frames": frames,
        "rate": rate,
        "labels_from": labels,
    }
    report.update(result.as_dict())
    text = json.dumps(report, indent=1)
    write_atomically(folder / "report.json", lambda out: out.write(text.encode()))
    return network, report


def training_report(network: Network) -> dict | None:
    """The report of a network trained here, or None for any other network."""
    if network.arch not in (TRAINED_ARCH, "temporal") or not network.weights:
        return None
    try:
        return json.loads(Path(network.weights).with_name("report.json").read_text())
    except (OSError, ValueError):
        return None


def training_page(network: Network) -> dict | None:
    """What the training page shows (report, confusion rows, logits layer), or None for a
    network not trained here; the site and the catalogue render it alike."""
    report = training_report(network)
    if report is None:
        return None
    classes = report["classes"]
    rows = [
        {"label": label, "counts": counts, "total": sum(counts), "right": counts[i]}
        for i, (label, counts) in enumerate(zip(classes, report["confusion"], strict=True))
    ]
    logits = network.layers.filter(kind="logits").first()
    return {"network": network, "report": report, "rows": rows, "logits": logits}
