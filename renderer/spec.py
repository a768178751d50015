"""`RenderSpec`: one render, described completely, validated, and hashed for the cache."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, fields

from renderer.errors import SpecError

RENDERER_VERSION = "7"
STYLES = ("fourier", "pixel", "cppn", "transparent")
OBJECTIVES = ("channel", "neuron", "negative", "diversity", "interpolate", "dream", "dream-layer")
SET_OBJECTIVES = ("diversity", "interpolate")  # one spec, `count` images
PHOTO_OBJECTIVES = ("dream", "dream-layer")  # start from an uploaded photograph
TRANSFORMS = ("standard", "none")
LIMITS = {"size": (16, 8192), "steps": (1, 10000), "seed": (0, 2**31 - 1), "count": (1, 16)}
PHOTO_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class RenderSpec:
    """What to render: a channel of a layer of a network, and how.

    `objective` is what the image maximizes: `channel` (mean of the channel), `neuron`
    (its centre position), `negative` (minimizes the channel), `diversity` (`count`
    images of the channel that differ), `interpolate` (`count` aligned frames from
    `channel` to `channel_b`), `dream` / `dream-layer` (amplify the channel / the whole
    layer in the photograph whose SHA-256 is `photo`). Every field is validated on
    construction; a bad value raises `SpecError` naming it.
    """

    network: str
    layer: str
    channel: int
    objective: str = "channel"
    style: str = "fourier"
    size: int = 128
    steps: int = 128
    seed: int = 0
    learning_rate: float = 0.08
    transforms: str = "standard"
    channel_b: int | None = None
    count: int = 1
    photo: str = ""

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
        self._check_objective_fields()

    def _check_objective_fields(self) -> None:
        if self.objective == "interpolate":
            if self.channel_b is None:
                raise SpecError("channel_b", "interpolate needs a second channel")
            _check_int("channel_b", self.channel_b, 0, None)
        elif self.channel_b is not None:
            raise SpecError("channel_b", f"only interpolate uses it, not {self.objective}")
        if self.objective in SET_OBJECTIVES and self.count < 2:
            raise SpecError("count", f"{self.objective} needs at least 2 images")
        if self.objective not in SET_OBJECTIVES and self.count != 1:
            raise SpecError("count", f"{self.objective} renders one image")
        if self.objective in PHOTO_OBJECTIVES:
            if not PHOTO_HASH.match(self.photo):
                raise SpecError("photo", f"{self.objective} needs an uploaded photograph")
            if self.style != "pixel":
                raise SpecError("style", f"{self.objective} starts from a photo: use pixel")
        elif self.photo:
            raise SpecError("photo", f"only dream objectives use a photo, not {self.objective}")

    @classmethod
    def parse_params(cls, **params) -> dict:
        """Parse strings (a query string, a command line) into typed values, as Python reads
        them ("+8", " 8" and "4_096" are numbers); errors name the field."""
        known = {f.name: f.type for f in fields(cls)}
        values = {}
        for name, raw in params.items():
            if name not in known:
                raise SpecError(name, "is not a render parameter")
            values[name] = _parse(name, raw, known[name])
        return values

    @classmethod
    def from_params(cls, **params) -> RenderSpec:
        """Build a spec from strings (a query string, a command line); errors name the field."""
        return cls(**cls.parse_params(**params))

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
        if kind == "int | None":
            return int(raw) if raw.strip() else None
        if kind == "float":
            return float(raw)
    except ValueError:
        whole = "whole " if kind.startswith("int") else ""
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
