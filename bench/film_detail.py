"""Benchmark: how much of its detail every frame of a zoom and a pan keeps.

Renders the films of issue 23 (160×96 at 6 fps, 8 steps a frame): a 2 s zoom of 1.05 a
frame on block8:3, a transition to 7 and a hold; a 2 s pan over block8:3, 7 and 11 on a
canvas 3 frames wide and a hold on 11. For each frame: the energy of a Laplacian filter
on its grey levels against the first frame's (1.00: as detailed), and the mean difference
from the frame before. Writes bench/results/film_detail-cpu.md and a contact sheet of
each film (docs/film-detail-zoom.png, docs/film-detail-pan.png; 6 frames a row).

    python bench/film_detail.py
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import load_network  # noqa: E402
from renderer.cinema import render_film  # noqa: E402
from tests.renderer.cinema_helpers import decode, detail_energy, mean_difference  # noqa: E402

FILMS = {
    "zoom": [
        {"kind": "zoom", "layer": "block8", "channel": 3, "seconds": 2, "zoom": 1.05},
        {"kind": "transition", "layer": "block8", "from": 3, "to": 7, "seconds": 1},
        {"kind": "hold", "layer": "block8", "channel": 7, "seconds": 1},
    ],
    "pan": [
        {"kind": "pan", "layer": "block8", "channels": [3, 7, 11], "width": 3, "seconds": 2},
        {"kind": "hold", "layer": "block8", "channel": 11, "seconds": 1},
    ],
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=8, help="optimizer steps per frame")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--sheets", default=str(ROOT / "docs"), help="folder of contact sheets")
    parser.add_argument("--work", type=int, default=None, help="working height (default 224)")
    return parser.parse_args(argv)


def contact_sheet(frames: list[np.ndarray], per_row: int = 6) -> Image.Image:
    rows = [frames[i : i + per_row] for i in range(0, len(frames), per_row)]
    blank = np.zeros_like(frames[0])
    rows = [np.concatenate(row + [blank] * (per_row - len(row)), axis=1) for row in rows]
    return Image.fromarray(np.concatenate(rows, axis=0))


def measure(network, name: str, steps: int, work: int | None) -> tuple[dict, list[np.ndarray]]:
    spec = {"network": network.name, "size": [160, 96], "fps": 6, "steps": steps}
    if work:
        spec["work"] = work
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        render_film(network, {**spec, "shots": FILMS[name]}, Path(folder) / "f.mp4", folder)
        seconds = time.perf_counter() - started
        frames = decode(Path(folder) / "f.mp4")
    first = detail_energy(frames[0])
    return {
        "detail": [detail_energy(frame) / first for frame in frames],
        "step": [mean_difference(a, b) for a, b in zip(frames, frames[1:], strict=False)],
        "seconds": seconds,
        "shot_frames": [round(shot["seconds"] * 6) for shot in FILMS[name]],
    }, frames


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.manual_seed(0)
    network = load_network("efficientnet-lite0")
    larger = "-larger" if args.work and args.work < 96 else ""
    title = f"--work {args.work}: frames larger than the working canvas" if larger else ""
    lines = [f"# Detail frame by frame (`bench/film_detail.py`{title and ' ' + title})", ""]
    for name in FILMS:
        result, frames = measure(network, name, args.steps, args.work)
        contact_sheet(frames).save(Path(args.sheets) / f"film-detail{larger}-{name}.png")
        kinds = ", ".join(
            f"{shot['kind']} {count} frames"
            for shot, count in zip(FILMS[name], result["shot_frames"], strict=True)
        )
        lines += [
            f"## {name} ({kinds}; {result['seconds']:.1f} s)",
            "",
            "detail ÷ first frame's: " + " ".join(f"{v:.2f}" for v in result["detail"]),
            "",
            "difference from the frame before: " + " ".join(f"{v:.3f}" for v in result["step"]),
            "",
        ]
    lines.append(
        f"160×96, 6 fps, {args.steps} steps a frame, working height {args.work or 224}, "
        "efficientnet-lite0, "
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}."
    )
    out = Path(args.out) / f"film_detail{larger}-cpu.md"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
