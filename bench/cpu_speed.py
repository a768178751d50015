"""Benchmark: the default still on a CPU, one lever at a time, against lucent's `render_vis`.

The same channels at 128 px are rendered by lucent one at a time (256 steps, its weights
as published and in `channels_last` order) and by our engine in one batch, each lever
changing one thing against renderer 6 (the default before issue 22: 256 steps, lr 0.05),
then the default now (renderer 7: 128 steps, lr 0.08, `channels_last`): bfloat16
autocast (oneDNN, AMX on processors that have it), `channels_last`, `torch.compile`, the
thread layout (one process with every thread, or one single-threaded process per core,
each rendering its share), fewer steps, and the network seeing the still at its own size
instead of enlarged to the network's input.
Every run is repeated and the median taken; the objective (the target channel's mean on
the final image, measured alike for all, as it is and enlarged to the network's input) is
compared with lucent's on the same channels.
Writes bench/results/cpu_speed-<device>.{json,md}. Run it with nothing else on the cores.

    python bench/cpu_speed.py                              # block10, 4 channels, 3 repeats
    python bench/cpu_speed.py --levers renderer6 renderer7 --repeats 1 --steps 16 --channels 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
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
from temporal_bench import cpu_name  # noqa: E402

from renderer import RenderSpec, load_network, render_batch  # noqa: E402, I001

RENDERER_6 = {"steps": 256, "learning_rate": 0.05}  # the default still before issue 22
RENDERER_7 = {"steps": 128, "learning_rate": 0.08, "channels_last": True}  # the default now
LEVERS = {  # name: (what the row says, the settings)
    "renderer6": ("renderer 6 (256 steps, lr 0.05, float32, 1 process × 2 threads)", RENDERER_6),
    "bfloat16": ("bfloat16 autocast (oneDNN)", {**RENDERER_6, "precision": "bfloat16"}),
    "channels_last": ("channels_last weights", {**RENDERER_6, "channels_last": True}),
    "torch.compile": ("torch.compile (inductor)", {**RENDERER_6, "compile": True}),
    "processes": ("one process per core (2 × 1 thread)", {**RENDERER_6, "processes": 0}),
    "half": ("half the steps (128, lr 0.05)", {**RENDERER_6, "steps": 128}),
    "half-lr": ("half the steps at lr 0.08", {"steps": 128, "learning_rate": 0.08}),
    "at-size": ("network at the still's size", {**RENDERER_6, "network_at_size": True}),
    "renderer7": ("**renderer 7, the default** (128 steps, lr 0.08, channels_last)", RENDERER_7),
    "renderer7-processes": ("renderer 7 + one process per core", {**RENDERER_7, "processes": 0}),
    "renderer7-bf16": ("renderer 7 + bfloat16 autocast", {**RENDERER_7, "precision": "bfloat16"}),
}
QUIET_TABLE = [name for name in LEVERS if name not in ("torch.compile", "at-size")]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="efficientnet-lite0")
    parser.add_argument("--layer", default="block10")
    parser.add_argument("--channels", type=int, default=4, help="first N channels")
    parser.add_argument("--lucent-channels", type=int, default=2, help="lucent: first N")
    parser.add_argument("--steps", type=int, default=256, help="lucent's steps")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--levers", nargs="+", default=QUIET_TABLE, choices=list(LEVERS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--label", default="", help="written to cpu_speed-LABEL-cpu.md")
    return parser.parse_args(argv)


@contextmanager
def lever_applied(network, lever: dict):
    """The network as `lever` wants it for the duration of its runs."""
    model, input_size = network.model, network.input_size
    network.model.to(memory_format=memory_format(lever))
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
        network.model.to(memory_format=torch.contiguous_format)  # as lucent's runs see it
        network.extra.pop("channel_levels", None)


def memory_format(lever: dict) -> torch.memory_format:
    return torch.channels_last if lever.get("channels_last") else torch.contiguous_format


def render_ours(network, layer_name, channels, size, lever, precision) -> list[np.ndarray]:
    rate = lever.get("learning_rate", RENDERER_6["learning_rate"])
    specs = [RenderSpec(network.name, layer_name, c, size=size, steps=lever["steps"], seed=c,
                        learning_rate=rate) for c in channels]  # fmt: skip
    results = render_batch(network, specs, precision=precision)
    return [np.asarray(r.image, dtype=np.float32) / 255 for r in results]


def _one_process_share(job) -> tuple[float, list[np.ndarray]]:
    """A single-threaded render process: its share of the channels, timed from a barrier."""
    network_name, layer_name, channels, size, lever, barrier = job
    torch.set_num_threads(1)
    network = load_network(network_name, device="cpu")
    network.model.to(memory_format=memory_format(lever))
    render_ours(network, layer_name, channels[:1], size, {**lever, "steps": 2}, "float32")  # warm
    barrier.wait()
    started = time.perf_counter()
    images = render_ours(network, layer_name, channels, size, lever, "float32")
    return time.perf_counter() - started, images


def run_processes(args, channels, lever, count: int) -> tuple[float, list[np.ndarray]]:
    """Wall time of `count` single-threaded processes rendering the channels between them."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(count)
    shares = [channels[i::count] for i in range(count)]
    with context.Pool(count) as pool:
        jobs = [(args.network, args.layer, share, args.size, lever, barrier) for share in shares]
        done = pool.map(_one_process_share, jobs)
    images = {}
    for share, (_, share_images) in zip(shares, done, strict=True):
        images.update(zip(share, share_images, strict=True))
    return max(seconds for seconds, _ in done), [images[c] for c in channels]


def run_lever(network, layer, channels, args, name: str) -> dict:
    label, settings = LEVERS[name]
    lever = {**settings, "size": args.size}
    precision = lever.get("precision", "float32")
    times, images = [], None
    with lever_applied(network, lever):
        first_started = time.perf_counter()
        if "processes" not in lever:  # warm: channel levels, oneDNN kernels, compilation
            render_ours(network, layer.name, channels[:1], args.size, {**lever, "steps": 2},
                        precision)  # fmt: skip
        warm_seconds = time.perf_counter() - first_started
        for _ in range(args.repeats):
            if "processes" in lever:
                count = lever["processes"] or os.cpu_count() or 1
                seconds, images = run_processes(args, channels, lever, count)
            else:
                started = time.perf_counter()
                images = render_ours(network, layer.name, channels, args.size, lever, precision)
                seconds = time.perf_counter() - started
            times.append(seconds)
            print(f"{name}: {seconds:.1f} s", flush=True)
    seconds = statistics.median(times)
    return {
        "lever": label,
        "steps": lever["steps"],
        "learning_rate": lever["learning_rate"],
        "seconds_per_channel": round(seconds / len(channels), 2),
        "all_seconds": [round(t, 2) for t in times],
        "warm_seconds": round(warm_seconds, 2),
        **objectives(network, layer, channels[: args.lucent_channels],
                     images[: args.lucent_channels]),
    }  # fmt: skip


def objectives(network, layer, channels, images) -> dict:
    """The mean objective on the stills as they are, and enlarged to the network's input
    (the scale the optimization shows them to the network at)."""
    enlarged = []
    for image in images:
        tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float()
        side = network.input_size
        tensor = torch.nn.functional.interpolate(tensor, size=(side, side), mode="bilinear")
        enlarged.append(tensor[0].permute(1, 2, 0).numpy())
    return {
        "objective": round(float(np.mean(objective_values(network, layer, channels, images))), 4),
        "objective_at_input": round(
            float(np.mean(objective_values(network, layer, channels, enlarged))), 4
        ),
    }


def run_lucent_repeated(network, layer, channels, args, layout) -> dict:
    times, images = [], None
    network.model.to(memory_format=layout)
    for _ in range(args.repeats):
        seconds, images = run_lucent(network, layer, channels, args)
        times.append(seconds)
        print(f"lucent: {seconds:.1f} s", flush=True)
    return {
        "seconds_per_channel": round(statistics.median(times) / len(channels), 2),
        "all_seconds": [round(t, 2) for t in times],
        **objectives(network, layer, channels, images),
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    network = load_network(args.network, device="cpu")
    layer = network.layer(args.layer)
    channels = list(range(args.channels))
    lucent_channels = channels[: args.lucent_channels]
    lucent = run_lucent_repeated(network, layer, lucent_channels, args, torch.contiguous_format)
    lucent_last = run_lucent_repeated(network, layer, lucent_channels, args, torch.channels_last)
    lucent_last["speedup_vs_lucent"] = round(
        lucent["seconds_per_channel"] / lucent_last["seconds_per_channel"], 2
    )
    rows = [run_lever(network, layer, channels, args, name) for name in args.levers]
    baseline = next((row for row in rows if row["lever"] == LEVERS["renderer6"][0]), rows[0])
    for row in rows:
        seconds = row["seconds_per_channel"]
        row["speedup_vs_baseline"] = round(baseline["seconds_per_channel"] / seconds, 2)
        row["speedup_vs_lucent"] = round(lucent["seconds_per_channel"] / seconds, 2)
        row["objective_ratio_vs_lucent"] = round(row["objective"] / lucent["objective"], 4)
        row["objective_at_input_ratio_vs_lucent"] = round(
            row["objective_at_input"] / lucent["objective_at_input"], 4
        )
    default = next((row for row in rows if row["lever"] == LEVERS["renderer7"][0]), None)
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
        "cpu": cpu_name(),
        "torch": torch.__version__,
        "mkldnn_bf16": torch.backends.mkldnn.is_available(),
        "lucent": lucent,
        "lucent_channels_last": lucent_last,
        "levers": rows,
        "network_channels": total_channels,
        "baseline_hours_for_every_channel": round(
            total_channels * baseline["seconds_per_channel"] / 3600, 2
        ),
        "default_hours_for_every_channel": default
        and round(total_channels * default["seconds_per_channel"] / 3600, 2),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write(result, Path(args.out), args.label)
    print(json.dumps(result))
    return result


def table(result: dict) -> str:
    lucent, lucent_last = result["lucent"], result["lucent_channels_last"]
    lines = [
        f"# The default still on a CPU: levers ({result['network']} {result['layer']}, "
        f"{result['size']} px)",
        "",
        "| lever | steps | s / channel | × renderer 6 | × lucent | objective ÷ lucent's "
        "| at the network's input ÷ lucent's |",
        "|---|---|---|---|---|---|---|",
        f"| lucent render_vis | {result['steps']} | {lucent['seconds_per_channel']} | | 1.00 "
        f"| 1.0000 | 1.0000 |",
        f"| lucent render_vis, channels_last weights | {result['steps']} "
        f"| {lucent_last['seconds_per_channel']} | | {lucent_last['speedup_vs_lucent']} | | |",
    ]
    for row in result["levers"]:
        lines.append(
            f"| {row['lever']} | {row['steps']} | {row['seconds_per_channel']} "
            f"| {row['speedup_vs_baseline']} | {row['speedup_vs_lucent']} "
            f"| {row['objective_ratio_vs_lucent']} | {row['objective_at_input_ratio_vs_lucent']} |"
        )
    lines += [
        "",
        f"Ours: {result['channels']} channels in one batch; lucent: the first "
        f"{result['lucent_channels']}, one at a time; objectives on those. Median of "
        f"{result['repeats']}; {result['threads']} torch threads, {result['cpu']}, torch "
        f"{result['torch']}, {result['measured_at']}. Every channel of {result['network']} "
        f"({result['network_channels']}) at renderer 6: "
        f"{result['baseline_hours_for_every_channel']} h; at the default now: "
        f"{result['default_hours_for_every_channel']} h (at this layer's rate).",
    ]
    return "\n".join(lines) + "\n"


def write(result: dict, out: Path, label: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"cpu_speed{'-' + label if label else ''}-cpu"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(result))


if __name__ == "__main__":
    main()
