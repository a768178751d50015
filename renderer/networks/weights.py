"""Weights files as their authors publish them: read, unwrapped, renamed, checked.

Release files rarely hold a bare state dict. Places365's `resnet18_places365.pth.tar` is a
checkpoint dict (`epoch`, `arch`, `state_dict`, `best_prec1`) whose keys carry
DataParallel's `module.` prefix; its densenet161 uses the key names of older torchvision
(`norm.1`, `conv.2`). `load_weights` unwraps and renames what it recognises, and a file
that still does not fit raises `WeightsMismatch` with a short summary, never a wall of keys.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from renderer.errors import WeightsMismatch, WeightsUnavailable

# Where checkpoint dicts of common training scripts keep the weights.
STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model", "net")
DATA_PARALLEL_PREFIX = "module."
FIRST_FEW = 3
# Older torchvision DenseNets named "denselayer1.norm.1"; today's say "denselayer1.norm1".
_OLD_DENSENET_KEY = re.compile(r"(denselayer\d+\.(?:norm|relu|conv))\.([12])\.")


@dataclass
class WeightsFile:
    """A state dict read from a file, and how it was found there (for error messages)."""

    path: str
    state: dict[str, torch.Tensor]
    layout: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "; ".join(self.layout)


def read_weights(path: str | Path) -> WeightsFile:
    """Read a state dict from `path`: a bare state dict, or a checkpoint dict holding one
    under `state_dict` (or `model_state_dict`, `model`, `net`); DataParallel's `module.`
    prefix and older DenseNet key names are undone."""
    path = str(path)
    if not Path(path).is_file():
        raise WeightsUnavailable(f"weights file {path!r} does not exist")
    if _is_torchscript(path):
        raise WeightsMismatch(
            f"{path} is a TorchScript file, not a state dict: register it with --torchscript"
        )
    content, notes = _safe_load(path)
    found = _unwrap(path, content)
    found.layout.extend(notes)
    _strip_prefix(found)
    _rename_old_densenet_keys(found)
    return found


def load_weights(model: nn.Module, path: str | Path, model_name: str) -> WeightsFile:
    """Load the weights at `path` into `model` (strictly: every key, every shape).

    Raises `WeightsMismatch` naming the counts of missing, unexpected and misshapen keys,
    the first few of each, and what the file looks like.
    """
    found = read_weights(path)
    expected = model.state_dict()
    missing = [key for key in expected if key not in found.state]
    unexpected = [key for key in found.state if key not in expected]
    misshapen = [
        f"{key} {list(found.state[key].shape)} ≠ {list(value.shape)}"
        for key, value in expected.items()
        if key in found.state and found.state[key].shape != value.shape
    ]
    if missing or unexpected or misshapen:
        raise WeightsMismatch(mismatch_message(found, model_name, missing, unexpected, misshapen))
    model.load_state_dict(found.state)
    return found


def mismatch_message(
    found: WeightsFile, model_name: str, missing: list, unexpected: list, misshapen: list
) -> str:
    """One short paragraph: what differs (counts, first few keys) and what the file is."""
    parts = [
        _count(missing, "missing key"),
        _count(unexpected, "unexpected key"),
        _count(misshapen, "key with another shape (file ≠ model)"),
    ]
    differences = "; ".join(part for part in parts if part)
    return (
        f"weights file {Path(found.path).name} does not fit {model_name}: {differences}. "
        f"The file: {found.describe()}."
    )


def _count(keys: list[str], noun: str) -> str:
    if not keys:
        return ""
    shown = ", ".join(keys[:FIRST_FEW]) + (", …" if len(keys) > FIRST_FEW else "")
    plural = noun if len(keys) == 1 else noun.replace("key", "keys", 1)
    return f"{len(keys)} {plural} ({shown})"


def _safe_load(path: str) -> tuple[object, list[str]]:
    """`torch.load` with `weights_only` (no code runs). Files pickled by Python 2 (the
    Places365 releases: Python 2.7, PyTorch 0.2) may hold byte strings that are not UTF-8:
    read those as latin1, as the Places365 authors advise."""
    try:
        try:
            return torch.load(path, map_location="cpu", weights_only=True), []
        except UnicodeDecodeError:
            with warnings.catch_warnings():  # torch warns that pickle arguments are unusual
                warnings.simplefilter("ignore", UserWarning)
                content = torch.load(path, map_location="cpu", weights_only=True, encoding="latin1")
            return content, ["a Python 2 pickle (strings read as latin1)"]
    except Exception as exc:  # torch raises many kinds for a file it cannot unpickle
        first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise WeightsMismatch(
            f"{path} is not a state dict or checkpoint that torch.load can read safely "
            f"({type(exc).__name__}: {first_line}); save model.state_dict() instead"
        ) from exc


def _unwrap(path: str, content) -> WeightsFile:
    if not isinstance(content, dict):
        raise WeightsMismatch(
            f"{path} holds a {type(content).__name__}, not a state dict or checkpoint dict"
        )
    if _is_state_dict(content):
        return WeightsFile(path, dict(content), [f"a state dict of {len(content)} tensors"])
    keys = ", ".join(map(str, list(content)[:8])) + (", …" if len(content) > 8 else "")
    for key in STATE_DICT_KEYS:
        inner = content.get(key)
        if isinstance(inner, dict) and _is_state_dict(inner):
            layout = [
                f"a checkpoint dict (keys: {keys})",
                f"its {key!r} a state dict of {len(inner)} tensors",
            ]
            return WeightsFile(path, dict(inner), layout)
    raise WeightsMismatch(
        f"{path} is a dict (keys: {keys}) without a state dict of tensors in it "
        f"(looked under {', '.join(STATE_DICT_KEYS)})"
    )


def _is_state_dict(content: dict) -> bool:
    return bool(content) and all(
        isinstance(key, str) and isinstance(value, torch.Tensor) for key, value in content.items()
    )


def _strip_prefix(found: WeightsFile) -> None:
    """DataParallel saves every key as `module.<key>`; the bare model wants `<key>`."""
    if all(key.startswith(DATA_PARALLEL_PREFIX) for key in found.state):
        size = len(DATA_PARALLEL_PREFIX)
        found.state = {key[size:]: value for key, value in found.state.items()}
        found.layout.append(f"prefix {DATA_PARALLEL_PREFIX!r} removed")


def _rename_old_densenet_keys(found: WeightsFile) -> None:
    renamed = {_OLD_DENSENET_KEY.sub(r"\1\2.", key): value for key, value in found.state.items()}
    if list(renamed) != list(found.state):
        found.state = renamed
        found.layout.append("older DenseNet key names (norm.1 → norm1) renamed")


def _is_torchscript(path: str) -> bool:
    """TorchScript archives are zip files with a `code/` folder (state dicts have none)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any("/code/" in f"/{name}" for name in archive.namelist())
