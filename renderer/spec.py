"""`RenderSpec`: one render, described completely, validated, and hashed for the cache."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields

from renderer.errors import SpecError

RENDERER_VERSION = "1"
STYLES = ("fourier", "pixel")
OBJECTIVES = ("channel",)
TRANSFORMS = ("standard", "none")
LIMITS = {"size": (16, 8192), "steps": (1, 10000), "seed": (0, 2**31 - 1)}


@dataclass(frozen=True)
class RenderSpec:
    """What to render: a channel of a layer of a network, and how.

    Every field is validated on construction; a bad value raises `SpecError` naming it.
    """

    network: str
    layer: str
    channel: int
    objective: str = "channel"
    style: str = "fourier"
    size: int = 128
    steps: int = 256
    seed: int = 0
    learning_rate: float = 0.05
    transforms: str = "standard"

    def __post_init__(self):
        for name in ("network", "layer"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise SpecError(name, "must be a non-empty name")
        _check_int("channel", self.channel, 0, None)
        for name, (low, high) in LIMITS.items():
            _check_int(name, getattr(self, name), low, high)
        _check_choice("objective", self.objective, OBJECTIVES)
        _check_choice("style", self.style, STYLES)
        _check_choice("transforms", self.transforms, TRANSFORMS)
        rate = self.learning_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
            raise SpecError("learning_rate", f"must be a number in (0, 1], got {rate!r}")

    @classmethod
    def from_params(cls, **params) -> RenderSpec:
        """Build a spec from strings (a query string, a command line); errors name the field."""
        known = {f.name: f.type for f in fields(cls)}
        values = {}
        for name, raw in params.items():
            if name not in known:
                raise SpecError(name, "is not a render parameter")
            values[name] = _parse(name, raw, known[name])
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)

    def cache_key(self, weight_hash: str) -> str:
        """Hex digest of this spec, the network's weights and the renderer's version."""
        payload = json.dumps(
            {"spec": self.to_dict(), "weights": weight_hash, "renderer": RENDERER_VERSION},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def batch_key(self) -> tuple:
        """Specs with equal batch keys can be optimized together in one batch."""
        return (
            self.network,
            self.layer,
            self.style,
            self.size,
            self.steps,
            self.learning_rate,
            self.transforms,
        )


def _parse(name: str, raw, kind: str):
    if not isinstance(raw, str):
        return raw
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        whole = "whole " if kind == "int" else ""
        raise SpecError(name, f"must be a {whole}number, got {raw!r}") from None
    return raw


def _check_int(name: str, value, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(name, f"must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SpecError(name, f"must be {bounds}, got {value}")


def _check_choice(name: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SpecError(name, f"must be one of {', '.join(choices)}, got {value!r}")
