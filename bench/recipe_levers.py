"""Which part of the recipe makes class stills recognisable? One lever at a time.

Each lever changes one thing against the engine's current recipe (upsampling to the
network's input, standard transforms, decorrelated colour, lr 0.05) and renders the same
class-logit stills of efficientnet-lite0; efficientnet-lite1 judges them (see
`recognition_bench.py`). Writes bench/results/recognition-levers-<device>.{json,md}.

    python bench/recipe_levers.py --steps 64
    python bench/recipe_levers.py --levers current no-upsampling --device cuda
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from recognition_bench import CLASSES, JUDGE, NETWORK, device_name, judge, summary  # noqa: E402

from renderer import RenderSpec, load_network, render_batch, styles, transforms  # noqa: E402, I001
from renderer.zoo import default_device  # noqa: E402


@contextmanager
def patched(module, **values) -> Iterator[None]:
    """Set module attributes for the duration of one lever."""
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


@contextmanager
def input_size(network, size: int) -> Iterator[None]:
    with patched(network, input_size=size):
        yield


@contextmanager
def nothing() -> Iterator[None]:
    yield


def plain_sigmoid(image: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(image)


# name -> (context factory taking the network, spec overrides)
LEVERS: dict[str, tuple[Callable, dict]] = {
    "current": (lambda net: nothing(), {}),
    "no-upsampling": (lambda net: input_size(net, 0), {}),
    "upsample-only-to-160": (lambda net: input_size(net, 160), {}),
    "no-transforms": (lambda net: nothing(), {"transforms": "none"}),
    "half-transforms": (
        lambda net: patched(
            transforms, PAD=6, JITTER=6, SCALE_RANGE=(0.95, 1.05), ROTATE_DEGREES=5.0
        ),
        {},
    ),
    "double-transforms": (
        lambda net: patched(
            transforms, PAD=24, JITTER=24, SCALE_RANGE=(0.8, 1.2), ROTATE_DEGREES=20.0
        ),
        {},
    ),
    "no-decorrelation": (lambda net: patched(styles, decorrelated_rgb=plain_sigmoid), {}),
    "lr-0.02": (lambda net: nothing(), {"learning_rate": 0.02}),
    "lr-0.1": (lambda net: nothing(), {"learning_rate": 0.1}),
    "size-224": (lambda net: nothing(), {"size": 224}),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levers", nargs="+", default=list(LEVERS), choices=list(LEVERS))
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def run_lever(network, judge_net, name: str, args) -> dict:
    context, overrides = LEVERS[name]
    fields = {"size": args.size, "steps": args.steps, "seed": args.seed, **overrides}
    specs = [RenderSpec(NETWORK, "logits", c, **fields) for c in CLASSES]
    started = time.perf_counter()
    with context(network):
        results = render_batch(network, specs)
    seconds = time.perf_counter() - started
    images = [np.asarray(r.image, dtype=np.float32) / 255 for r in results]
    verdicts = judge(judge_net, list(CLASSES), images)
    run = {"lever": name, **summary(verdicts), "seconds": round(seconds, 1)}
    print(f"{name}: {run['top5_hits']}/8, p {run['mean_probability']}", flush=True)
    return {**run, "verdicts": verdicts}


def table(result: dict) -> str:
    rows = [
        f"Levers, one at a time: {result['network']} class-logit stills, {result['steps']} "
        f"steps, {result['size']} px, seed {result['seed']}, judged by {result['judge']} "
        f"({result['device']}).",
        "",
        "| lever | lite1 top-5 | mean p(class) | seconds |",
        "|---|---|---|---|",
    ]
    for run in result["runs"]:
        rows.append(
            f"| {run['lever']} | {run['top5_hits']}/{run['classes']} | "
            f"{run['mean_probability']} | {run['seconds']} |"
        )
    return "\n".join(rows)


def main(argv=None) -> dict:
    args = parse_args(argv)
    device = torch.device(args.device) if args.device else default_device()
    network = load_network(NETWORK, device=device)
    judge_net = load_network(JUDGE, device=device)
    runs = [run_lever(network, judge_net, name, args) for name in args.levers]
    result = {
        "device": device_name(device),
        "network": NETWORK,
        "judge": JUDGE,
        "steps": args.steps,
        "size": args.size,
        "seed": args.seed,
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"recognition-levers-{device.type}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(result) + "\n")
    print(table(result))
    return result


if __name__ == "__main__":
    main()
