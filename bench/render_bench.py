"""Benchmark: lucent's `render_vis`, one channel at a time, against our batched engine.

Same network, layer, channels, steps, size and transform distribution, on the same device
in one run. Writes a JSON result and prints a Markdown table: channels per minute for
each, the speed ratio, and the mean final objective of each (ours must reach at least 95%
of lucent's, or the speed does not count).

    python bench/render_bench.py --network inceptionv1 --layer mixed4a --steps 512
    python bench/render_bench.py --network efficientnet-lite0 --layer block10 --channels 8
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import RenderSpec, load_network, render_batch  # noqa: E402
from renderer.batching import batch_size_for  # noqa: E402
from renderer.layers import capture, forward_until  # noqa: E402
from renderer.zoo import default_device  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="inceptionv1")
    parser.add_argument("--layer", default="mixed4a")
    parser.add_argument("--weights", default=None, help="file; default: random for inceptionv1")
    parser.add_argument("--channels", type=int, default=None, help="first N channels (all)")
    parser.add_argument(
        "--lucent-channels",
        type=int,
        default=None,
        help="lucent renders only the first N of them (its rate is per channel)",
    )
    parser.add_argument("--steps", type=int, default=512)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=0, help="ours: 0 = chosen by memory")
    parser.add_argument("--precision", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def lucent_layer_name(module_path: str) -> str:
    """lucent's hook names join module paths with underscores."""
    return module_path.replace(".", "_")


def run_lucent(network, layer, channels, args) -> tuple[float, list[np.ndarray]]:
    from lucent.optvis import param, render, transform

    transforms = list(transform.standard_transforms)
    preprocess = network.name == "inceptionv1"  # lucent picks inception's preprocessing itself
    if not preprocess:
        transforms.append(network.preprocess)
    images, started = [], time.perf_counter()
    for channel in channels:
        torch.manual_seed(channel)
        result = render.render_vis(
            network.model,
            f"{lucent_layer_name(layer.module)}:{channel}",
            param_f=lambda: param.image(args.size),
            transforms=transforms,
            thresholds=(args.steps,),
            preprocess=preprocess,
            show_image=False,
            progress=False,
        )
        images.append(result[0][0])
    _sync(network)
    return time.perf_counter() - started, images


def run_ours(network, layer, channels, args, batch: int) -> tuple[float, list[np.ndarray]]:
    specs = [
        RenderSpec(network.name, layer.name, c, size=args.size, steps=args.steps, seed=c)
        for c in channels
    ]
    images, started = [], time.perf_counter()
    for start in range(0, len(specs), batch):
        results = render_batch(network, specs[start : start + batch], precision=args.precision)
        images += [np.asarray(r.image, dtype=np.float32) / 255 for r in results]
    _sync(network)
    return time.perf_counter() - started, images


def objective_values(network, layer, channels, images) -> list[float]:
    """The target channel's mean activation on each final image, measured alike for both."""
    values = []
    with torch.no_grad(), capture(network.model, {layer.name: layer.module}, layer.name) as acts:
        for channel, image in zip(channels, images, strict=True):
            tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]
            forward_until(network.model, network.preprocess(tensor.to(network.device).float()))
            values.append(float(acts[layer.name][0, channel].float().mean()))
    return values


def _sync(network) -> None:
    if network.device.type == "cuda":
        torch.cuda.synchronize(network.device)


def summary(name, seconds, values, count) -> dict:
    return {
        "renderer": name,
        "channels": count,
        "seconds": round(seconds, 2),
        "channels_per_minute": round(60 * count / seconds, 3),
        "mean_objective": round(float(np.mean(values)), 4),
    }


def rewrite_tables(folder: Path) -> None:
    """Regenerate the Markdown tables from the JSON results."""
    for path in folder.glob("render_bench-*.json"):
        path.with_suffix(".md").write_text(table(json.loads(path.read_text())) + "\n")


def main(argv=None) -> dict:
    args = parse_args(argv)
    device = torch.device(args.device) if args.device else default_device()
    weights = args.weights or ("random" if args.network == "inceptionv1" else None)
    network = load_network(args.network, weights=weights, device=device)
    if args.channels_last:
        network.model.to(memory_format=torch.channels_last)
    layer = network.layer(args.layer)
    channels = list(range(args.channels or layer.channels))
    lucent_channels = channels[: args.lucent_channels or len(channels)]
    probe = RenderSpec(network.name, layer.name, 0, size=args.size, steps=args.steps)
    batch = args.batch or batch_size_for(network, probe, len(channels))
    print(
        f"{network.name} {layer.name}: {len(channels)} channels (lucent {len(lucent_channels)}),"
        f" {args.steps} steps, {args.size}px, batch {batch}, {device}",
        flush=True,
    )
    ours_seconds, ours_images = run_ours(network, layer, channels, args, batch)
    print(f"ours: {ours_seconds:.1f} s", flush=True)
    lucent_seconds, lucent_images = run_lucent(network, layer, lucent_channels, args)
    print(f"lucent: {lucent_seconds:.1f} s", flush=True)
    ours = summary(
        "ours (batched)",
        ours_seconds,
        objective_values(network, layer, channels, ours_images),
        len(channels),
    )
    lucent = summary(
        "lucent render_vis",
        lucent_seconds,
        objective_values(network, layer, lucent_channels, lucent_images),
        len(lucent_channels),
    )
    # Compare objectives on the channels both rendered.
    ours_common = np.mean(
        objective_values(network, layer, lucent_channels, ours_images[: len(lucent_channels)])
    )
    ratio = float(ours_common / lucent["mean_objective"]) if lucent["mean_objective"] else None
    ours["mean_objective_on_lucent_channels"] = round(float(ours_common), 4)
    total_channels = sum(item.channels for item in network.layers)
    result = {
        "device": device_name(device),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "network": network.name,
        "weights": network.weight_hash,
        "layer": layer.name,
        "steps": args.steps,
        "size": args.size,
        "batch": batch,
        "precision": args.precision,
        "channels_last": args.channels_last,
        "lucent": lucent,
        "ours": ours,
        "speedup": round(ours["channels_per_minute"] / lucent["channels_per_minute"], 2),
        "objective_ratio": round(ratio, 4) if ratio is not None else None,
        "objective_ok": ratio is not None and ratio >= 0.95,
        "network_channels": total_channels,
        "estimated_minutes_for_every_channel": round(
            total_channels / ours["channels_per_minute"], 1
        ),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write(result, Path(args.out))
    return result


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads, {platform.processor() or platform.machine()})"


def table(result: dict) -> str:
    rows = [
        "| renderer | channels | seconds | channels/min | mean objective (lucent's channels) |",
        "|---|---|---|---|---|",
    ]
    for key in ("lucent", "ours"):
        item = result[key]
        common = item.get("mean_objective_on_lucent_channels", item["mean_objective"])
        rows.append(
            f"| {item['renderer']} | {item['channels']} | {item['seconds']} | "
            f"{item['channels_per_minute']} | {common} |"
        )
    verdict = "counts" if result["objective_ok"] else "below 95%: speed does not count"
    rows.append(
        f"\n{result['network']} {result['layer']}, {result['steps']} steps, {result['size']} px, "
        f"{result['device']}: speed-up **{result['speedup']}×**, objective ratio "
        f"{result['objective_ratio']} ({verdict}); "
        f"every channel of {result['network']} ({result['network_channels']}) ≈ "
        f"{result['estimated_minutes_for_every_channel']} min."
    )
    return "\n".join(rows)


def write(result: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    kind = "gpu" if "cpu" not in result["device"] else "cpu"
    stem = f"render_bench-{result['network']}-{result['layer']}-{kind}"
    (folder / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (folder / f"{stem}.md").write_text(table(result) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
