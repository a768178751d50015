"""Benchmark: the default still on a CPU, one lever at a time, against lucent's `render_vis`.

The same channels at the default settings (128 px, 256 steps) are rendered by lucent one
at a time and by our engine in one batch, each lever changing one thing against the
engine's default: bfloat16 autocast (oneDNN, AMX on processors that have it),
`channels_last`, `torch.compile`, the thread layout (one process with every thread, or
one single-threaded process per core, each rendering its share), fewer steps, and the
network seeing the still at its own size instead of enlarged to the network's input.
Every run is repeated and the median taken; the objective (the target channel's mean on
the final image, measured alike for all) is compared with lucent's on the same channels.
Writes bench/results/cpu_speed-<device>.{json,md}. Run it with nothing else on the cores.

    python bench/cpu_speed.py                              # block10, 4 channels, 3 repeats
    python bench/cpu_speed.py --levers baseline bfloat16 --repeats 1 --steps 16
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from render_bench import objective_values, run_lucent  # noqa: E402

from renderer import RenderSpec, load_network, render_batch  # noqa: E402, I001

LEVERS = {
    "baseline": {},
    "bfloat16": {"precision": "bfloat16"},
    "channels_last": {"channels_last": True},
    "bfloat16 + channels_last": {"precision": "bfloat16", "channels_last": True},
    "torch.compile": {"compile": True},
    "one process per core": {"processes": 0},  # 0: one per core, one thread each
    "half the steps": {"steps_factor": 0.5},
    "network at the still's size": {"network_at_size": True},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="efficientnet-lite0")
    parser.add_argument("--layer", default="block10")
    parser.add_argument("--channels", type=int, default=4, help="first N channels")
    parser.add_argument("--lucent-channels", type=int, default=2, help="lucent: first N")
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--levers", nargs="+", default=list(LEVERS), choices=list(LEVERS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


@contextmanager
def lever_applied(network, lever: dict):
    """The network as `lever` wants it for the duration of its runs."""
    model, input_size = network.model, network.input_size
    if lever.get("channels_last"):
        network.model.to(memory_format=torch.channels_last)
    if lever.get("compile"):
        torch._dynamo.config.recompile_limit = 64  # one graph per block shape, not 8 in all
        network.model = torch.compile(model)
    if lever.get("network_at_size"):
        network.input_size = lever["size"]
        network.extra.pop("channel_levels", None)  # the usual levels at the new size
    try:
        yield
    finally:
        network.model, network.input_size = model, input_size
        network.model.to(memory_format=torch.contiguous_format)
        network.extra.pop("channel_levels", None)


def render_ours(network, layer_name, channels, size, steps, precision) -> list[np.ndarray]:
    specs = [RenderSpec(network.name, layer_name, c, size=size, steps=steps, seed=c)
             for c in channels]  # fmt: skip
    results = render_batch(network, specs, precision=precision)
    return [np.asarray(r.image, dtype=np.float32) / 255 for r in results]


def _one_process_share(job) -> tuple[float, list[np.ndarray]]:
    """A single-threaded render process: its share of the channels, timed from a barrier."""
    network_name, layer_name, channels, size, steps, barrier = job
    torch.set_num_threads(1)
    network = load_network(network_name, device="cpu")
    render_ours(network, layer_name, channels[:1], size, 2, "float32")  # warm: levels, oneDNN
    barrier.wait()
    started = time.perf_counter()
    images = render_ours(network, layer_name, channels, size, steps, "float32")
    return time.perf_counter() - started, images


def run_processes(args, channels, steps, count: int) -> tuple[float, list[np.ndarray]]:
    """Wall time of `count` single-threaded processes rendering the channels between them."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(count)
    shares = [channels[i::count] for i in range(count)]
    with context.Pool(count) as pool:
        jobs = [(args.network, args.layer, share, args.size, steps, barrier) for share in shares]
        done = pool.map(_one_process_share, jobs)
    images = {}
    for share, (_, share_images) in zip(shares, done, strict=True):
        images.update(zip(share, share_images, strict=True))
    return max(seconds for seconds, _ in done), [images[c] for c in channels]


def run_lever(network, layer, channels, args, name: str) -> dict:
    lever = {**LEVERS[name], "size": args.size}
    steps = max(1, round(args.steps * lever.get("steps_factor", 1.0)))
    precision = lever.get("precision", "float32")
    times, images = [], None
    with lever_applied(network, lever):
        first_started = time.perf_counter()
        if "processes" not in lever:  # warm: channel levels, oneDNN kernels, compilation
            render_ours(network, layer.name, channels[:1], args.size, 2, precision)
        warm_seconds = time.perf_counter() - first_started
        for _ in range(args.repeats):
            if "processes" in lever:
                count = lever["processes"] or os.cpu_count() or 1
                seconds, images = run_processes(args, channels, steps, count)
            else:
                started = time.perf_counter()
                images = render_ours(network, layer.name, channels, args.size, steps, precision)
                seconds = time.perf_counter() - started
            times.append(seconds)
            print(f"{name}: {seconds:.1f} s", flush=True)
    seconds = statistics.median(times)
    return {
        "lever": name,
        "steps": steps,
        "seconds_per_channel": round(seconds / len(channels), 2),
        "all_seconds": [round(t, 2) for t in times],
        "warm_seconds": round(warm_seconds, 2),
        "objective": round(float(np.mean(
            objective_values(network, layer, channels[: args.lucent_channels],
                             images[: args.lucent_channels]))), 4),
    }  # fmt: skip


def run_lucent_repeated(network, layer, channels, args) -> dict:
    times, images = [], None
    for _ in range(args.repeats):
        seconds, images = run_lucent(network, layer, channels, args)
        times.append(seconds)
        print(f"lucent: {seconds:.1f} s", flush=True)
    return {
        "seconds_per_channel": round(statistics.median(times) / len(channels), 2),
        "all_seconds": [round(t, 2) for t in times],
        "objective": round(float(np.mean(objective_values(network, layer, channels, images))), 4),
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    network = load_network(args.network, device="cpu")
    layer = network.layer(args.layer)
    channels = list(range(args.channels))
    lucent = run_lucent_repeated(network, layer, channels[: args.lucent_channels], args)
    rows = [run_lever(network, layer, channels, args, name) for name in args.levers]
    baseline = next((row for row in rows if row["lever"] == "baseline"), rows[0])
    for row in rows:
        seconds = row["seconds_per_channel"]
        row["speedup_vs_baseline"] = round(baseline["seconds_per_channel"] / seconds, 2)
        row["speedup_vs_lucent"] = round(lucent["seconds_per_channel"] / seconds, 2)
        row["objective_ratio_vs_lucent"] = round(row["objective"] / lucent["objective"], 4)
    total_channels = sum(item.channels for item in network.layers)
    result = {
        "network": network.name,
        "layer": layer.name,
        "channels": len(channels),
        "lucent_channels": args.lucent_channels,
        "size": args.size,
        "steps": args.steps,
        "repeats": args.repeats,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "mkldnn_bf16": torch.backends.mkldnn.is_available(),
        "lucent": lucent,
        "levers": rows,
        "network_channels": total_channels,
        "baseline_hours_for_every_channel": round(
            total_channels * baseline["seconds_per_channel"] / 3600, 2
        ),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write(result, Path(args.out))
    print(json.dumps(result))
    return result


def table(result: dict) -> str:
    lucent = result["lucent"]
    lines = [
        f"# The default still on a CPU: levers ({result['network']} {result['layer']}, "
        f"{result['size']} px, {result['steps']} steps)",
        "",
        "| lever | steps | s / channel | × baseline | × lucent | objective ÷ lucent's |",
        "|---|---|---|---|---|---|",
        f"| lucent render_vis | {result['steps']} | {lucent['seconds_per_channel']} | | 1.00 "
        f"| 1.0000 |",
    ]
    for row in result["levers"]:
        lines.append(
            f"| {row['lever']} | {row['steps']} | {row['seconds_per_channel']} "
            f"| {row['speedup_vs_baseline']} | {row['speedup_vs_lucent']} "
            f"| {row['objective_ratio_vs_lucent']} |"
        )
    lines += [
        "",
        f"Ours: {result['channels']} channels in one batch; lucent: the first "
        f"{result['lucent_channels']}, one at a time; objectives on those. Median of "
        f"{result['repeats']}; {result['threads']} torch threads, {result['cpu']}, torch "
        f"{result['torch']}, {result['measured_at']}. Every channel of {result['network']} "
        f"({result['network_channels']}) at the baseline: "
        f"{result['baseline_hours_for_every_channel']} h.",
    ]
    return "\n".join(lines) + "\n"


def write(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / "cpu_speed-cpu"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(result))


if __name__ == "__main__":
    main()
