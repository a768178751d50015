"""Benchmark: what the floored optimizer costs against torch's Adam, in one run.

Renders the same batch of stills with each optimizer, alternating, `--repeats` times, and
prints the median seconds per still of each and their ratio. Writes
bench/results/optimizer_bench-<device>.{json,md}.

    python bench/optimizer_bench.py --device cpu
    python bench/optimizer_bench.py --layer block10 --channels 8 --steps 64 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import RenderSpec, engine, load_network  # noqa: E402
from renderer.optimizer import FlooredAdam  # noqa: E402
from renderer.zoo import default_device  # noqa: E402

OPTIMIZERS = {"torch Adam": torch.optim.Adam, "FlooredAdam": FlooredAdam}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="efficientnet-lite0")
    parser.add_argument("--layer", default="block10")
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def seconds_per_still(network, specs, optimizer) -> float:
    started = time.perf_counter()
    engine.optimize(network, specs, make_optimizer=optimizer)
    if network.device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - started) / len(specs)


def main(argv=None) -> None:
    args = parse_args(argv)
    device = torch.device(args.device) if args.device else default_device()
    network = load_network(args.network, device=device)
    specs = [
        RenderSpec(args.network, args.layer, c, size=args.size, steps=args.steps, seed=c)
        for c in range(args.channels)
    ]
    seconds_per_still(network, specs[:1], FlooredAdam)  # warm-up: levels, kernels
    times = {name: [] for name in OPTIMIZERS}
    for _ in range(args.repeats):
        for name, optimizer in OPTIMIZERS.items():
            times[name].append(seconds_per_still(network, specs, optimizer))
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["FlooredAdam"] / medians["torch Adam"]
    lines = [
        f"{args.network} {args.layer}, {args.channels} stills of {args.size} px, "
        f"{args.steps} steps ({device.type}), median of {args.repeats}:",
        "",
        "| optimizer | seconds per still (median) | runs |",
        "|---|---|---|",
        *(
            f"| {name} | {medians[name]:.3f} | {', '.join(f'{t:.3f}' for t in times[name])} |"
            for name in OPTIMIZERS
        ),
        "",
        f"FlooredAdam / Adam: {ratio:.3f}",
    ]
    print("\n".join(lines))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"optimizer_bench-{device.type}"
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    record = {"args": vars(args), "seconds": times, "median": medians, "ratio": ratio}
    stem.with_suffix(".json").write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
