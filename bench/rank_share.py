"""Rank-1 share per layer: how many stills excite their own channel most in their layer.

Renders every channel of each layer (or `--sample N` channels spread evenly over it) at
the atlas's default still settings and reads each still's `rank` figure (renderer/figures.py:
1 = its channel is the most excited of the layer, z-scored against unoptimized images).
Writes bench/results/rank_share-<device>.{json,md}.

    python bench/rank_share.py                                  # stem, block10, block15
    python bench/rank_share.py --layers stem block10 --sample 32 --device cpu
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import RenderSpec, load_network, render_batch  # noqa: E402
from renderer.batching import batch_size_for  # noqa: E402
from renderer.zoo import default_device  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="efficientnet-lite0")
    parser.add_argument("--layers", nargs="+", default=["stem", "block10", "block15"])
    parser.add_argument("--sample", type=int, default=0, help="N channels per layer (all)")
    parser.add_argument("--first", type=int, default=0, help="the first N channels instead")
    parser.add_argument("--steps", type=int, default=None, help="default: RenderSpec's")
    parser.add_argument("--size", type=int, default=None, help="default: RenderSpec's")
    parser.add_argument("--learning-rate", type=float, default=None, help="default: RenderSpec's")
    parser.add_argument("--label", default="", help="a name for the recipe: in the file name")
    parser.add_argument("--batch", type=int, default=0, help="0 = chosen by memory")
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--sheet", default=None, help="PNG of the first layer's first 16")
    return parser.parse_args(argv)


def sampled_channels(count: int, sample: int) -> list[int]:
    """`sample` channels spread evenly over `count` (all of them when 0 or too many)."""
    if not sample or sample >= count:
        return list(range(count))
    return sorted({i * count // sample for i in range(sample)})


def layer_ranks(network, layer: str, channels: list[int], args) -> tuple[list[int], list]:
    """Each channel's rank and still, rendered at the default settings."""
    chosen = (("steps", args.steps), ("size", args.size), ("learning_rate", args.learning_rate))
    overrides = {k: v for k, v in chosen if v}
    specs = [RenderSpec(network.name, layer, c, seed=c, **overrides) for c in channels]
    batch = args.batch or batch_size_for(network, specs[0], len(specs))
    ranks, stills = [], []
    for start in range(0, len(specs), batch):
        results = render_batch(network, specs[start : start + batch])
        ranks += [int(r.figures["rank"]) for r in results]
        stills += [r.image for r in results]
        print(f"{layer}: {len(ranks)}/{len(specs)}", flush=True)
    return ranks, stills


def contact_sheet(stills: list[Image.Image], path: str, columns: int = 8) -> None:
    """Stills in a grid (2 px apart), for looking at them."""
    side = stills[0].width + 2
    rows = -(-len(stills) // columns)
    sheet = Image.new("RGB", (side * columns, side * rows), "white")
    for i, still in enumerate(stills):
        sheet.paste(still.convert("RGB"), ((i % columns) * side, (i // columns) * side))
    sheet.save(path)


def main(argv=None) -> dict:
    args = parse_args(argv)
    device = torch.device(args.device) if args.device else default_device()
    network = load_network(args.network, device=device)
    probe = RenderSpec(network.name, args.layers[0], 0)
    rows = []
    for name in args.layers:
        layer = network.layer(name)
        channels = sampled_channels(layer.channels, args.sample)
        if args.first:
            channels = list(range(min(args.first, layer.channels)))
        started = time.perf_counter()
        ranks, stills = layer_ranks(network, name, channels, args)
        if args.sheet and name == args.layers[0]:
            contact_sheet(stills[:16], args.sheet)
        firsts = sum(rank == 1 for rank in ranks)
        rows.append(
            {
                "layer": name,
                "layer_channels": layer.channels,
                "rendered": len(channels),
                "rank1": firsts,
                "share": round(firsts / len(channels), 3),
                "not_rank1": {c: r for c, r in zip(channels, ranks, strict=True) if r != 1},
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    result = {
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "network": network.name,
        "steps": args.steps or probe.steps,
        "size": args.size or probe.size,
        "learning_rate": args.learning_rate or probe.learning_rate,
        "label": args.label,
        "rows": rows,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write(result, Path(args.out), "-".join(filter(None, [args.label, device.type])))
    return result


def table(result: dict) -> str:
    lines = [
        f"{result['network']}, {result['size']} px, {result['steps']} steps, learning rate "
        f"{result.get('learning_rate')} ({result['device']}):",
        "",
        "| layer | channels rendered | rank 1 | share | channels not at rank 1 (rank) |",
        "|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        others = ", ".join(f"{c} ({r})" for c, r in row["not_rank1"].items()) or "—"
        rendered = f"{row['rendered']} of {row['layer_channels']}"
        lines.append(
            f"| {row['layer']} | {rendered} | {row['rank1']} | {row['share']:.0%} | {others} |"
        )
    return "\n".join(lines)


def write(result: dict, folder: Path, kind: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"rank_share-{kind}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(result) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
