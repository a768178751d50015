"""Weights and labels files in the layouts their authors publish, with random weights."""

import io
import re
from pathlib import Path

import torch
import torchvision

# The first lines of Places365's categories_places365.txt; the rest are made up alike.
PLACES_LINES = [
    "/a/airfield 0",
    "/a/airplane_cabin 1",
    "/a/apartment_building/outdoor 2",
    "/b/bakery/shop 3",
]
PLACES_CLASSES = 365


def places_labels(folder: Path) -> Path:
    """A `categories_places365.txt`: `/letter/name[/kind] index`, 365 lines."""
    lines = PLACES_LINES + [
        f"/z/zone_{i}/kind {i}" for i in range(len(PLACES_LINES), PLACES_CLASSES)
    ]
    path = folder / "categories_places365.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def places_checkpoint(folder: Path, arch: str = "resnet18") -> Path:
    """`<arch>_places365.pth.tar`: a checkpoint dict whose `state_dict` keys carry
    DataParallel's `module.` prefix, as the Places365 release files do."""
    model = getattr(torchvision.models, arch)(num_classes=PLACES_CLASSES)
    state = {f"module.{key}": value for key, value in model.state_dict().items()}
    checkpoint = {"epoch": 90, "arch": arch, "state_dict": state, "best_prec1": 54.7}
    path = folder / f"{arch}_places365.pth.tar"
    torch.save(checkpoint, path)
    return path


def old_densenet_checkpoint(folder: Path, arch: str = "densenet121") -> Path:
    """A DenseNet checkpoint with older torchvision's key names (`denselayer1.norm.1`), as
    Places365's densenet161 release has them (densenet121: the same names, smaller)."""
    model = getattr(torchvision.models, arch)(num_classes=PLACES_CLASSES)
    old = re.compile(r"(denselayer\d+\.(?:norm|relu|conv))([12])\.")
    state = {"module." + old.sub(r"\1.\2.", key): v for key, v in model.state_dict().items()}
    path = folder / f"{arch}_places365.pth.tar"
    torch.save({"epoch": 90, "arch": arch, "state_dict": state}, path)
    return path


def torchscript_file(folder: Path, classes: int = 5) -> tuple[Path, Path]:
    """A scripted resnet18 of `classes` classes, and its labels file."""
    model = torchvision.models.resnet18(num_classes=classes).eval()
    path, labels = folder / "classifier.pt", folder / "classes.txt"
    torch.jit.script(model).save(str(path))
    labels.write_text("".join(f"class {i}\n" for i in range(classes)))
    return path, labels


def python2_checkpoint(folder: Path, arch: str = "resnet18", classes: int = 3) -> Path:
    """A checkpoint as PyTorch 0.2 under Python 2.7 wrote it (Places365's releases): the
    legacy (non-zip) format, and a Python 2 byte string that is not UTF-8 (`"arch"`)."""
    model = getattr(torchvision.models, arch)(num_classes=classes)
    state = {f"module.{key}": value for key, value in model.state_dict().items()}
    buffer = io.BytesIO()
    checkpoint = {"epoch": 90, "arch": "XXXX", "state_dict": state}
    torch.save(checkpoint, buffer, _use_new_zipfile_serialization=False, pickle_protocol=2)
    # Python 3 pickles "XXXX" as BINUNICODE; Python 2 wrote its str as SHORT_BINSTRING.
    py3_string = b"X" + (4).to_bytes(4, "little") + b"XXXX"
    py2_string = b"U" + bytes([4]) + b"res\xe9"  # latin1 bytes, invalid as UTF-8
    data = buffer.getvalue()
    assert data.count(py3_string) == 1
    path = folder / f"{arch}_py2.pth.tar"
    path.write_bytes(data.replace(py3_string, py2_string))
    return path
