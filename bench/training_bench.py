"""Benchmark: one `train_network` run on a corpus of a few hundred frames, on this machine.

Makes a corpus of N film-sized frames (320×180) in three folders, one a class of a
taxonomy no ImageNet network was taught (checks, dots, stripes, each in random colours),
ingests it with `add_corpus` (not timed) in a temporary database and media folder, then
times `train_network --labels folders` with its defaults (efficientnet-lite0, 128 px,
at most 10 epochs, early stopping). Writes bench/results/training_bench-{cpu,gpu}.json
and .md: frames, epochs run, seconds, accuracies and the seconds of each epoch.

    python bench/training_bench.py                # 240 frames
    python bench/training_bench.py --frames 90    # quick
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_site import setup_django  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def make_frames(folder: Path, count: int) -> None:
    """`count` frames, a third of each pattern, in a folder named after the pattern."""
    import numpy as np

    from tests.renderer.pattern_helpers import PATTERNS, pattern_image

    rng = np.random.default_rng(0)
    for i in range(count):
        kind = PATTERNS[i % len(PATTERNS)]
        (folder / kind).mkdir(parents=True, exist_ok=True)
        square = pattern_image(kind, rng, size=320)
        square.crop((0, 70, 320, 250)).save(folder / kind / f"frame{i:05d}.jpg", quality=90)


def main(argv=None) -> dict:
    args = parse_args(argv)
    import torch

    with tempfile.TemporaryDirectory(prefix="training-bench-") as work:
        work = Path(work)
        setup_django(work, args.device)
        from django.core.management import call_command

        from catalog.atlas.models import Network
        from catalog.corpora.training import training_report

        make_frames(work / "corpus", args.frames)
        call_command("add_corpus", "bench", str(work / "corpus"), stdout=StringIO())
        out = StringIO()
        started = time.perf_counter()
        call_command(
            "train_network", "bench-net", "--corpus", "bench", "--labels", "folders",
            "--epochs", str(args.epochs), "--size", str(args.size), "--json", stdout=out,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        summary = json.loads(out.getvalue())
        report = training_report(Network.objects.get(name="bench-net"))
    result = {
        "frames": summary["frames"],
        "train_frames": report["train_frames"],
        "val_frames": report["val_frames"],
        "classes": summary["classes"],
        "input_size": args.size,
        "epochs_run": len(report["epochs"]),
        "best_epoch": report["best_epoch"],
        "stopped_early": report["stopped_early"],
        "train_accuracy": summary["train_accuracy"],
        "val_accuracy": summary["val_accuracy"],
        "confusion": report["confusion"],
        "seconds": round(seconds, 1),
        "epoch_seconds": [epoch["seconds"] for epoch in report["epochs"]],
        "device": args.device,
        "torch_threads": torch.get_num_threads(),
        "load_average": os.getloadavg()[0],
        "machine": platform.processor() or platform.machine(),
    }
    write(result, Path(args.out), "gpu" if args.device.startswith("cuda") else "cpu")
    print(json.dumps(result))
    return result


def write(result: dict, out: Path, kind: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"training_bench-{kind}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(
        "# train_network, efficientnet-lite0, three pattern classes\n\n"
        "| frames (held out) | input | epochs run (kept) | seconds | train acc. | held-out acc. |\n"
        "|---|---|---|---|---|---|\n"
        f"| {result['frames']} ({result['val_frames']}) | {result['input_size']} px "
        f"| {result['epochs_run']} ({result['best_epoch']}) | {result['seconds']} "
        f"| {result['train_accuracy']} | {result['val_accuracy']} |\n\n"
        f"Device {result['device']}, {result['torch_threads']} torch threads, "
        f"{result['machine']}, load average {result['load_average']:.1f} at the end.\n"
    )


if __name__ == "__main__":
    main()
