"""Benchmark: seconds per film frame at 1280×720, 1920×1080 and 3840×2160.

Each size renders the same short zoom (a feedback zoom on one channel) into a fresh
frame cache; the opening still is not timed, every warm frame after it is (optimization
at the working size, full-size sampling and detail crops, PNG cache write, H.264
encode). Writes bench/results/film_bench-{cpu,gpu}.json and .md.

    python bench/film_bench.py                       # 8 steps and 4 detail steps a frame
    python bench/film_bench.py --frames 4 --steps 2  # quick
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import load_network  # noqa: E402
from renderer.cinema import FilmSpec, render_film  # noqa: E402

SIZES = ["1280x720", "1920x1080", "3840x2160"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=SIZES, help="WIDTHxHEIGHT …")
    parser.add_argument("--frames", type=int, default=8, help="timed frames per size")
    parser.add_argument("--steps", type=int, default=8, help="optimizer steps per frame")
    parser.add_argument("--detail-steps", type=int, default=4, help="steps of detail crops")
    parser.add_argument("--first-steps", type=int, default=32, help="opening still (untimed)")
    parser.add_argument("--work", type=int, default=224, help="working height")
    parser.add_argument("--layer", default="block10")
    parser.add_argument("--channel", type=int, default=3)
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def film_for(size: str, args) -> FilmSpec:
    width, height = (int(v) for v in size.lower().split("x"))
    shot = {"kind": "zoom", "layer": args.layer, "channel": args.channel, "zoom": 1.01}
    return FilmSpec.from_json(
        {
            "network": "efficientnet-lite0",
            "size": [width, height],
            "fps": 24,
            "steps": args.steps,
            "first_steps": args.first_steps,
            "detail_steps": args.detail_steps,
            "work": args.work,
            "shots": [{**shot, "seconds": (args.frames + 1) / 24}],
        }
    )


def time_frames(network, film: FilmSpec) -> dict:
    stamps: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        report = render_film(
            network,
            film,
            Path(folder) / "bench.mp4",
            Path(folder) / "frames",
            progress=lambda done, total: stamps.append(_synced(network)),
        )
    warm = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    width, height = film.size
    return {
        "size": f"{width}x{height}",
        "frames": report["frames"],
        "opening_seconds": round(stamps[0] - started, 3),
        "seconds_per_frame": round(sum(warm) / len(warm), 3),
        "frames_per_minute": round(60 * len(warm) / sum(warm), 2),
    }


def _synced(network) -> float:
    if network.device.type == "cuda":
        torch.cuda.synchronize(network.device)
    return time.perf_counter()


def main(argv=None) -> None:
    args = parse_args(argv)
    network = load_network("efficientnet-lite0", device=args.device)
    rows = [time_frames(network, film_for(size, args)) for size in args.sizes]
    kind = "gpu" if network.device.type == "cuda" else "cpu"
    device = (
        torch.cuda.get_device_name(network.device)
        if kind == "gpu"
        else f"cpu ({torch.get_num_threads()} threads, {platform.machine()})"
    )
    settings = {
        "network": "efficientnet-lite0",
        "layer": args.layer,
        "channel": args.channel,
        "steps": args.steps,
        "detail_steps": args.detail_steps,
        "work": args.work,
        "timed_frames": args.frames,
        "device": device,
        "torch": torch.__version__,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"film_bench-{kind}.json").write_text(json.dumps({**settings, "rows": rows}, indent=2))
    table = markdown(settings, rows)
    (out / f"film_bench-{kind}.md").write_text(table)
    print(table)


def markdown(settings: dict, rows: list[dict]) -> str:
    lines = [
        "| frame size | seconds per frame | frames per minute | opening still (s) |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']} | {row['seconds_per_frame']} | {row['frames_per_minute']} | "
            f"{row['opening_seconds']} |"
        )
    lines.append("")
    lines.append(
        f"{settings['network']} {settings['layer']}:{settings['channel']} feedback zoom, "
        f"{settings['steps']} steps + {settings['detail_steps']} detail steps per frame, "
        f"working height {settings['work']}, {settings['timed_frames']} timed frames, "
        f"{settings['device']}, torch {settings['torch']}."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
