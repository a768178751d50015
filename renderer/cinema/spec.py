"""`FilmSpec`: a film as a sequence of shots over channels, validated before anything renders.

A film spec is JSON (see docs/films/). Every value is checked when the spec is built;
a bad one raises `FilmSpecError` naming the shot (its index, or None for the film) and
the field, so that a person can find it in their file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from renderer.cinema.easing import EASINGS
from renderer.errors import SpecError, UnknownLayer
from renderer.zoo import Network

FILM_STYLES = ("fourier", "pixel", "cppn")  # transparent has no meaning in H.264
SHOT_KINDS = ("zoom", "pan", "transition", "hold", "montage", "atlas")
MAX_SIZE = (3840, 2160)
ATLAS_MAX_ZOOM = 32
FILM_DEFAULTS = {
    "fps": 24,
    "style": "fourier",
    "steps": 8,
    "first_steps": 128,
    "detail_steps": 4,
    "work": 224,
    "seed": 0,
    "learning_rate": 0.05,
    "title": "",
}
FILM_LIMITS = {
    "fps": (1, 120),
    "steps": (1, 1000),
    "first_steps": (1, 10000),
    "detail_steps": (0, 1000),
    "work": (16, 1024),
    "seed": (0, 2**31 - 1),
}
# Fields of each kind: required ones map to None, optional ones to their default.
SHOT_FIELDS = {
    # a zoom that goes deeper: its objective moves from `layer` to `to_layer`'s `to_channel`
    "zoom": {
        "channel": None,
        "zoom": 1.02,
        "centre": (0.5, 0.5),
        "to_layer": None,
        "to_channel": None,
    },
    "pan": {"channels": None, "width": None},
    "transition": {"from": None, "to": None},
    "hold": {"channel": None},
    "montage": {"channels": None, "zoom": 1.0},
    # a camera over an activation atlas's map (see renderer/cinema/atlas_shot.py): from
    # `start_zoom` about `start_centre` to `zoom` about `centre`
    "atlas": {
        "corpus": "samples",
        "grid": 8,
        "zoom": 4.0,
        "centre": (0.5, 0.5),
        "start_zoom": 1.0,
        "start_centre": (0.5, 0.5),
    },
}
OPTIONAL_SHOT_FIELDS = {"width", "to_layer", "to_channel"}  # None: not given
COMMON_SHOT_FIELDS = {"kind", "layer", "seconds", "easing", "caption", "steps"}
DEFAULT_EASING = {"zoom": "linear", "hold": "linear", "montage": "linear"}


MOVING_IMAGE_SHOTS = ("hold", "montage")  # what a temporal network's films are made of


def sees_time(network) -> bool:
    """A temporal network (loaded, or as the catalog describes one: layers of kind clip)."""
    if "frames" in getattr(network, "extra", {}):
        return True
    return any(layer.kind == "clip" for layer in network.layers)


class FilmSpecError(SpecError):
    """A film spec value is invalid: `shot_index` (None for the film) and `field` name it."""

    def __init__(self, shot_index: int | None, field: str, message: str):
        super().__init__(field, message)
        self.shot_index = shot_index
        where = "film" if shot_index is None else f"shot {shot_index}"
        self.args = (f"{where}, field {field!r}: {message}",)

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class ShotSpec:
    """One shot: its kind, layer, length in seconds, and its kind's fields in `params`."""

    index: int
    kind: str
    layer: str
    seconds: float
    easing: str
    caption: str = ""
    steps: int | None = None
    params: dict = field(default_factory=dict)

    def channels(self) -> list[int]:
        """Every channel the shot shows, in order."""
        p = self.params
        if self.kind == "atlas":
            return []
        if self.kind == "transition":
            return [p["from"], p["to"]]
        if self.kind in ("pan", "montage"):
            return list(p["channels"])
        return [p["channel"]]

    def to_dict(self, with_caption: bool = True) -> dict:
        """The shot as JSON-ready data (without the caption: it is drawn, not rendered)."""
        data = {"kind": self.kind, "layer": self.layer, "seconds": self.seconds}
        given = {key: value for key, value in self.params.items() if value is not None}
        data.update(easing=self.easing, steps=self.steps, **given)
        if with_caption:
            data["caption"] = self.caption
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in data.items()
        }


@dataclass(frozen=True)
class FilmSpec:
    """A validated film: network, frame size, fps, style, per-frame steps and shots."""

    network: str
    size: tuple[int, int]
    shots: tuple[ShotSpec, ...]
    fps: int = 24
    style: str = "fourier"
    steps: int = 8
    first_steps: int = 128
    detail_steps: int = 4
    work: int = 224
    seed: int = 0
    learning_rate: float = 0.05
    title: str = ""

    @classmethod
    def from_json(cls, data: dict) -> FilmSpec:
        """Build and validate a spec from parsed JSON; `FilmSpecError` names what is wrong."""
        if not isinstance(data, dict):
            raise FilmSpecError(None, "spec", "a film spec is a JSON object")
        known = set(FILM_DEFAULTS) | {"network", "size", "shots"}
        for key in data:
            if key not in known:
                raise FilmSpecError(None, key, f"is not a film field ({', '.join(sorted(known))})")
        network = data.get("network")
        if not isinstance(network, str) or not network:
            raise FilmSpecError(None, "network", "must be a network name")
        values = {key: data.get(key, default) for key, default in FILM_DEFAULTS.items()}
        for name, (low, high) in FILM_LIMITS.items():
            _check_int(None, name, values[name], low, high)
        _check_choice(None, "style", values["style"], FILM_STYLES)
        _check_number(None, "learning_rate", values["learning_rate"], 0, 1)
        if not isinstance(values["title"], str):
            raise FilmSpecError(None, "title", "must be text")
        size = _check_size(data.get("size"))
        shots = data.get("shots")
        if not isinstance(shots, list) or not shots:
            raise FilmSpecError(None, "shots", "must be a non-empty list of shots")
        parsed = tuple(_parse_shot(i, shot, values["fps"]) for i, shot in enumerate(shots))
        return cls(network=network, size=size, shots=parsed, **values)

    @classmethod
    def load(cls, path) -> FilmSpec:
        """Read and validate a spec file."""
        return cls.from_json(cls.read(path))

    @staticmethod
    def read(path):
        """A spec file's JSON, not validated yet (`FilmSpecError` if it is not JSON)."""
        with open(path, encoding="utf-8") as handle:
            try:
                return json.load(handle)
            except json.JSONDecodeError as exc:
                raise FilmSpecError(None, "spec", f"not valid JSON: {exc}") from None

    def frames_of(self, shot: ShotSpec) -> int:
        """How many frames `shot` lasts: seconds × fps, rounded, at least one."""
        return max(1, round(shot.seconds * self.fps))

    @property
    def frames(self) -> int:
        return sum(self.frames_of(shot) for shot in self.shots)

    def check_network(self, network: Network) -> None:
        """Check every shot's layer and channels against the loaded network."""
        if network.name != self.network:
            raise FilmSpecError(
                None, "network", f"film is for {self.network!r}, not {network.name!r}"
            )
        temporal = sees_time(network)
        for shot in self.shots:
            try:
                layer = network.layer(shot.layer)
            except UnknownLayer as exc:
                raise FilmSpecError(shot.index, "layer", str(exc)) from None
            if temporal and shot.kind not in MOVING_IMAGE_SHOTS:
                raise FilmSpecError(
                    shot.index,
                    "kind",
                    f"{network.name!r} sees time: its films hold and montage its channels' "
                    f"moving images, not {shot.kind!r} (that needs an image network)",
                )
            if temporal and layer.kind not in ("clip", "logits"):
                raise FilmSpecError(shot.index, "layer", f"{shot.layer!r} has no moving images")
            if not temporal and layer.kind != "conv":
                raise FilmSpecError(shot.index, "layer", f"{shot.layer!r} is not spatial")
            _check_channels(shot.index, layer, _channel_fields(shot))
            if shot.kind == "zoom" and shot.params["to_layer"] is not None:
                _check_deeper_layer(network, shot)

    def render_key(self, screens: int, steps: int | None) -> dict:
        """Film-wide values that change every frame's pixels (part of each frame's key)."""
        width, height = self.size
        return {
            "network": self.network,
            "size": [width * screens, height],
            "fps": self.fps,
            "style": self.style,
            "steps": steps or self.steps,
            "first_steps": self.first_steps,
            "detail_steps": self.detail_steps,
            "work": self.work,
            "seed": self.seed,
            "learning_rate": self.learning_rate,
        }

    def digest(self) -> str:
        """A short hash of the whole spec (captions included)."""
        payload = {
            **self.render_key(1, None),
            "title": self.title,
            "shots": [s.to_dict() for s in self.shots],
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _parse_shot(index: int, shot, fps: int) -> ShotSpec:
    if not isinstance(shot, dict):
        raise FilmSpecError(index, "shot", "a shot is a JSON object")
    kind = shot.get("kind")
    _check_choice(index, "kind", kind, SHOT_KINDS)
    fields = SHOT_FIELDS[kind]
    for key in shot:
        if key not in COMMON_SHOT_FIELDS and key not in fields:
            allowed = ", ".join(sorted(COMMON_SHOT_FIELDS | set(fields)))
            raise FilmSpecError(index, key, f"is not a field of a {kind} shot ({allowed})")
    layer = shot.get("layer")
    if not isinstance(layer, str) or not layer:
        raise FilmSpecError(index, "layer", "must be a layer name")
    seconds = shot.get("seconds")
    _check_number(index, "seconds", seconds, 0, 600)
    if round(seconds * fps) < 1:
        raise FilmSpecError(index, "seconds", f"{seconds} s is less than one frame at {fps} fps")
    easing = shot.get("easing", DEFAULT_EASING.get(kind, "ease-in-out"))
    _check_choice(index, "easing", easing, tuple(EASINGS))
    caption = shot.get("caption", "")
    if not isinstance(caption, str) or len(caption) > 200:
        raise FilmSpecError(index, "caption", "must be text of at most 200 characters")
    steps = shot.get("steps")
    if steps is not None:
        _check_int(index, "steps", steps, 1, 1000)
    params = {}
    for key, default in fields.items():
        if key not in shot and default is None and key not in OPTIONAL_SHOT_FIELDS:
            raise FilmSpecError(index, key, f"a {kind} shot needs {key!r}")
        params[key] = shot.get(key, default)
    _check_params(index, kind, params)
    return ShotSpec(index, kind, layer, seconds, easing, caption, steps, params)


def _check_params(index: int, kind: str, params: dict) -> None:
    if kind == "atlas":
        return _check_atlas_params(index, params)
    for key in ("channel", "from", "to"):
        if key in params:
            _check_int(index, key, params[key], 0, None)
    if "channels" in params:
        channels = params["channels"]
        least = 2 if kind == "montage" else 1
        if not isinstance(channels, list) or not least <= len(channels) <= 16:
            raise FilmSpecError(index, "channels", f"must be a list of {least} to 16 channels")
        for channel in channels:
            _check_int(index, "channels", channel, 0, None)
    if "zoom" in params:
        _check_number(index, "zoom", params["zoom"], 0.5, 2.0)
    if kind == "zoom":
        centre = params["centre"]
        if (
            not isinstance(centre, list | tuple)
            or len(centre) != 2
            or not all(isinstance(c, int | float) and 0 <= c <= 1 for c in centre)
        ):
            raise FilmSpecError(index, "centre", "must be [x, y] with both in [0, 1]")
        params["centre"] = (float(centre[0]), float(centre[1]))
        _check_deeper(index, params)
    if kind == "pan":
        width = params["width"]
        if width is None:
            params["width"] = max(2, len(params["channels"]))
        else:
            _check_number(index, "width", width, 1, 16)
            if width < 1.01:
                raise FilmSpecError(index, "width", "the canvas must be wider than the frame")


def _check_deeper(index: int, params: dict) -> None:
    """A deeper zoom names both the later layer and its channel, or neither."""
    to_layer, to_channel = params["to_layer"], params["to_channel"]
    if to_layer is None and to_channel is None:
        return
    if to_layer is None:
        raise FilmSpecError(index, "to_layer", "a zoom with 'to_channel' needs 'to_layer'")
    if not isinstance(to_layer, str) or not to_layer:
        raise FilmSpecError(index, "to_layer", "must be a layer name")
    if to_channel is None:
        raise FilmSpecError(index, "to_channel", "a zoom with 'to_layer' needs 'to_channel'")
    _check_int(index, "to_channel", to_channel, 0, None)


def _check_atlas_params(index: int, params: dict) -> None:
    if not isinstance(params["corpus"], str) or not params["corpus"]:
        raise FilmSpecError(index, "corpus", "must be a corpus name")
    _check_int(index, "grid", params["grid"], 2, 32)
    for key in ("zoom", "start_zoom"):
        _check_number(index, key, params[key], 0, ATLAS_MAX_ZOOM)
        if params[key] < 1:
            raise FilmSpecError(index, key, "must be at least 1 (1: the whole map)")
    for key in ("centre", "start_centre"):
        params[key] = _checked_point(index, key, params[key])


def _checked_point(index: int, name: str, point) -> tuple[float, float]:
    if (
        not isinstance(point, list | tuple)
        or len(point) != 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
        or not all(0 <= c <= 1 for c in point)
    ):
        raise FilmSpecError(index, name, "must be [x, y] with both in [0, 1]")
    return (float(point[0]), float(point[1]))


def _check_size(size) -> tuple[int, int]:
    if (
        not isinstance(size, list | tuple)
        or len(size) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in size)
    ):
        raise FilmSpecError(None, "size", "must be [width, height] in whole pixels")
    width, height = size
    if width < 16 or height < 16 or width > MAX_SIZE[0] or height > MAX_SIZE[1]:
        raise FilmSpecError(
            None,
            "size",
            f"must be between 16×16 and {MAX_SIZE[0]}×{MAX_SIZE[1]}, got {width}×{height}",
        )
    if width % 2 or height % 2:
        raise FilmSpecError(
            None, "size", f"H.264 yuv420p needs even dimensions, got {width}×{height}"
        )
    return (width, height)


def _check_channels(index: int, layer, fields: list[tuple[str, int]]) -> None:
    for name, channel in fields:
        if channel >= layer.channels:
            raise FilmSpecError(
                index, name, f"layer {layer.name!r} has {layer.channels} channels, got {channel}"
            )


def _check_deeper_layer(network: Network, shot: ShotSpec) -> None:
    """A deeper zoom's `to_layer`: a spatial layer of the network after the shot's layer."""
    name = shot.params["to_layer"]
    try:
        deeper = network.layer(name)
    except UnknownLayer as exc:
        raise FilmSpecError(shot.index, "to_layer", str(exc)) from None
    if deeper.kind != "conv":
        raise FilmSpecError(shot.index, "to_layer", f"{name!r} is not spatial")
    order = [layer.name for layer in network.layers]
    if order.index(name) <= order.index(shot.layer):
        raise FilmSpecError(shot.index, "to_layer", f"{name!r} is not after {shot.layer!r}")
    _check_channels(shot.index, deeper, [("to_channel", shot.params["to_channel"])])


def _channel_fields(shot: ShotSpec) -> list[tuple[str, int]]:
    if shot.kind == "atlas":
        return []
    if shot.kind == "transition":
        return [("from", shot.params["from"]), ("to", shot.params["to"])]
    if shot.kind in ("pan", "montage"):
        return [("channels", channel) for channel in shot.params["channels"]]
    return [("channel", shot.params["channel"])]


def _check_int(index, name: str, value, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FilmSpecError(index, name, f"must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise FilmSpecError(index, name, f"must be {bounds}, got {value}")


def _check_number(index, name: str, value, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FilmSpecError(index, name, f"must be a number, got {value!r}")
    if not low < value <= high:
        raise FilmSpecError(index, name, f"must be in ({low}, {high}], got {value}")


def _check_choice(index, name: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise FilmSpecError(index, name, f"must be one of {', '.join(choices)}, got {value!r}")
