"""Benchmark: how long the whole atlas of a network takes at default settings, layer by layer.

A fill job renders ATLAS_FILL_BATCH (8) default stills of one layer in one optimization
and then classifies them in one pass. For every layer of the network, one such batch
(channels spread over the layer) is rendered at the default RenderSpec (class stills at
the atlas's class recipe, ATLAS_CLASS_STILL) and timed: the optimization (with its figure
pass: rank and objective) apart from the classification pass. The whole atlas is then
Σ over layers of channels × seconds a still there; the block10 rate of
`bench/cpu_speed.py` is one layer's. Writes bench/results/atlas_time-<device>.{json,md}.
Run it with nothing else on the cores.

    python bench/atlas_time.py                  # efficientnet-lite0, 8 stills a layer
    python bench/atlas_time.py --steps 8 --batch 2 --layers stem block0   # a smoke run
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from cpu_speed import RENDERER_6  # noqa: E402  (the atlas's class stills keep its recipe)
from temporal_bench import cpu_name  # noqa: E402

from renderer import RenderSpec, load_network, render_batch  # noqa: E402, I001
from renderer.classify import classify  # noqa: E402

DEFAULT = RenderSpec("-", "-", 0)  # the default recipe's steps and size


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="efficientnet-lite0")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=8, help="stills a fill job (ATLAS_FILL_BATCH)")
    parser.add_argument("--steps", type=int, default=DEFAULT.steps)
    parser.add_argument("--size", type=int, default=DEFAULT.size)
    parser.add_argument("--class-steps", type=int, default=RENDERER_6["steps"],
                        help="ATLAS_CLASS_STILL_STEPS (0: as the other layers)")  # fmt: skip
    parser.add_argument("--class-rate", type=float, default=RENDERER_6["learning_rate"],
                        help="ATLAS_CLASS_STILL_RATE")  # fmt: skip
    parser.add_argument("--layers", nargs="+", default=None, help="default: every layer")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def spread(channels: int, count: int) -> list[int]:
    """`count` channels spread evenly over a layer of `channels`."""
    count = min(count, channels)
    return [round(i * (channels - 1) / max(1, count - 1)) for i in range(count)]


def time_layer(network, layer, args) -> dict:
    channels = spread(layer.channels, args.batch)
    recipe = {"steps": args.steps, "learning_rate": DEFAULT.learning_rate}
    if layer.kind == "logits" and args.class_steps:  # a class still's recipe, as the atlas's
        recipe = {"steps": args.class_steps, "learning_rate": args.class_rate}
    specs = [RenderSpec(network.name, layer.name, c, size=args.size, seed=c, **recipe)
             for c in channels]  # fmt: skip
    started = time.perf_counter()
    results = render_batch(network, specs)
    render = time.perf_counter() - started
    started = time.perf_counter()
    classify(network, [r.image for r in results])
    classified = time.perf_counter() - started
    per_still = (render + classified) / len(specs)
    return {
        "layer": layer.name,
        "channels": layer.channels,
        "batch": len(specs),
        **recipe,
        "render_s_per_still": round(render / len(specs), 3),
        "classify_s_per_still": round(classified / len(specs), 4),
        "s_per_still": round(per_still, 3),
        "layer_hours": round(per_still * layer.channels / 3600, 3),
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    network = load_network(args.network, device=args.device)
    layers = [layer for layer in network.layers if args.layers is None or layer.name in args.layers]
    render_batch(network, [RenderSpec(network.name, layers[0].name, 0, steps=2, size=args.size)])
    rows = []
    for layer in layers:
        rows.append(time_layer(network, layer, args))
        print(rows[-1], flush=True)
    total_s = sum(row["s_per_still"] * row["channels"] for row in rows)
    classify_s = sum(row["classify_s_per_still"] * row["channels"] for row in rows)
    result = {
        "network": args.network,
        "device": cpu_name() if args.device == "cpu" else args.device,
        "steps": args.steps,
        "size": args.size,
        "batch": args.batch,
        "class_recipe": f"{args.class_steps} steps at lr {args.class_rate}"
        if args.class_steps
        else "as the others",
        "layers": rows,
        "channels": sum(row["channels"] for row in rows),
        "total_hours": round(total_s / 3600, 2),
        "classify_share": round(classify_s / total_s, 4),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write(result, Path(args.out), "cpu" if args.device == "cpu" else "cuda")
    return result


def table(result: dict) -> str:
    lines = [
        f"{result['network']}, every layer at default settings ({result['steps']} steps, "
        f"{result['size']} px; class stills {result['class_recipe']}), one fill job of "
        f"{result['batch']} stills a layer (optimization with its figure pass, then the "
        f"classification pass); {result['device']}, {result['measured_at']}",
        "",
        "| layer | channels | s / still (render) | s / still (classify) | hours for the layer |",
        "|---|---|---|---|---|",
    ]
    for row in result["layers"]:
        lines.append(
            f"| {row['layer']} | {row['channels']} | {row['render_s_per_still']:.2f} | "
            f"{row['classify_s_per_still']:.3f} | {row['layer_hours']:.2f} |"
        )
    lines += [
        "",
        f"Whole atlas ({result['channels']} channels): **{result['total_hours']:.2f} h**; "
        f"the classification pass is {100 * result['classify_share']:.1f} % of it.",
    ]
    return "\n".join(lines) + "\n"


def write(result: dict, out: Path, device: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"atlas_time-{device}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(result))
    print(table(result))


if __name__ == "__main__":
    main()
