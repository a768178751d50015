"""Benchmark: a network that sees time, trained on a virtual camera's clips, and the
moving images of its class channels.

Clips: 8 frames of a camera panning left or right or zooming in or out over 14 of
scikit-image's photographs (4 clips of each move from random places of each); held out
for the check: 3 clips of each move over 4 photographs the network never saw. Trains a
temporal network (`renderer.temporal.training`, its defaults) at `--size`, reports the
held-out accuracy and confusion matrix, the motion estimator's accuracy on the same
held-out clips, the training time, and renders each class channel's moving image
(`--steps`), its rank in the layer, its objective played forwards and backwards and its
motion. Writes bench/results/temporal-cpu.md and docs/temporal-moving-images.png (a row
of frames per class).

    python bench/temporal_bench.py [--size 64] [--steps 128]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import renderer  # noqa: E402
from renderer.temporal.camera import HELD_OUT, camera_clips, training_photographs  # noqa: E402
from renderer.temporal.motion import motion_label  # noqa: E402
from renderer.temporal.moving import render_clips  # noqa: E402
from renderer.temporal.training import (  # noqa: E402
    TEMPORAL_DEFAULTS,
    clip_evaluation_batch,
    clip_tensor,
    train_clips,
)
from renderer.training import TrainingOptions, accuracy, confusion_matrix, predict  # noqa: E402

SHEET_SCALE = 2  # each frame drawn at twice its size


def cpu_name() -> str:
    """The processor's model name and whether it has AMX or AVX-512 BF16 units."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith("model name")), platform.machine())  # fmt: skip
    flags = set(next((line.split(":", 1)[1].split() for line in info.splitlines()
                      if line.startswith("flags")), []))  # fmt: skip
    units = [unit for unit in ("amx_bf16", "avx512_bf16", "avx512f", "avx2") if unit in flags]
    return f"{name} ({', '.join(units) or 'no AVX2'})"


def contact_sheet(rows: list[tuple[str, list[Image.Image]]], path: Path) -> None:
    side = rows[0][1][0].width * SHEET_SCALE
    label_width = 90
    sheet = Image.new("RGB", (label_width + side * len(rows[0][1]), side * len(rows)), "white")
    draw = ImageDraw.Draw(sheet)
    for row, (label, frames) in enumerate(rows):
        draw.text((6, row * side + side // 2 - 6), label, fill="black")
        for column, frame in enumerate(frames):
            big = frame.resize((side, side), Image.Resampling.NEAREST)
            sheet.paste(big, (label_width + column * side, row * side))
    sheet.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "temporal-cpu.md"))
    parser.add_argument("--sheet", default=str(ROOT / "docs" / "temporal-moving-images.png"))
    args = parser.parse_args()
    side = round(args.size * 1.15)
    clips = camera_clips(training_photographs(), per_move=4, side=side)
    held = camera_clips(HELD_OUT, per_move=3, side=side, seed=9)
    options = TrainingOptions(**TEMPORAL_DEFAULTS, input_size=args.size)
    with tempfile.TemporaryDirectory() as folder:
        weights = Path(folder) / "camera.pt"
        started = time.perf_counter()
        result = train_clips(clips, weights, options, frames=8)
        train_seconds = time.perf_counter() - started
        network = renderer.load_network("camera", weights=str(weights), arch="temporal")
    classes = result.classes
    batch = clip_evaluation_batch([clip_tensor(c.frames, args.size) for c in held], args.size)
    targets = torch.tensor([classes.index(c.label) for c in held])
    predictions = predict(network, batch)
    matrix = confusion_matrix(targets, predictions, len(classes))
    estimated = sum(motion_label(c.frames) == c.label for c in held) / len(held)
    specs = [
        renderer.RenderSpec("camera", "logits", c, size=args.size, steps=args.steps, seed=c)
        for c in range(len(classes))
    ]
    started = time.perf_counter()
    moving = render_clips(network, specs)
    render_seconds = time.perf_counter() - started
    contact_sheet([(classes[i], r.clip) for i, r in enumerate(moving)], Path(args.sheet))

    lines = [
        "# A network that sees time (bench/temporal_bench.py)",
        "",
        f"CPU: {cpu_name()}, {torch.get_num_threads()} threads; "
        f"torch {torch.__version__}. Input {args.size} px, 8 frames a clip.",
        "",
        f"- training clips: {len(clips)} ({len(training_photographs())} photographs; "
        f"{result.train_frames} trained on, {result.val_frames} held out by the split; each "
        "also played backwards as its opposite)",
        f"- training: {train_seconds:.1f} s, best epoch {result.best_epoch} of "
        f"{len(result.epochs)}; held-out accuracy by the split {result.val_accuracy:.2f}",
        f"- clips of {len(HELD_OUT)} photographs never seen ({len(held)} clips): accuracy "
        f"**{accuracy(predictions, targets):.2f}** (chance {1 / len(classes):.2f}); "
        f"the motion estimator (phase correlation) on the same clips: {estimated:.2f}",
        "",
        "Confusion on the never-seen photographs (rows: true, columns: predicted):",
        "",
        "| true \\ predicted | " + " | ".join(classes) + " |",
        "|---|" + "---|" * len(classes),
    ]
    lines += [
        f"| {c} | " + " | ".join(map(str, row)) + " |"
        for c, row in zip(classes, matrix, strict=True)
    ]
    lines += [
        "",
        f"Moving images of the class channels ({args.steps} steps, {args.size} px, one batch: "
        f"{render_seconds:.1f} s):",
        "",
        "| class | rank | objective | played backwards | motion | top class |",
        "|---|---|---|---|---|---|",
    ]
    for label, r in zip(classes, moving, strict=True):
        f = r.figures
        lines.append(
            f"| {label} | {f['rank']} of {len(classes)} | {f['objective']:.2f} | "
            f"{f['objective_backwards']:.2f} | {f['motion']:.4f} | {f['top_classes'][0][0]} |"
        )
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
