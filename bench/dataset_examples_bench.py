"""Benchmark: seconds per 1,000 frames of dataset examples for a whole network (every layer).

Makes a corpus of N frames (640×360 crops of scikit-image's sample pictures, ingested with
`add_corpus`, not timed) in a temporary database and media folder, registers the network,
then times `dataset_examples` over every layer: reading the frames from storage, one
forward pass per batch for all layers, the running top-k and the checkpoints to the
database. It also times the forward passes alone on the same batches. Writes
bench/results/dataset_examples_bench-{cpu,gpu}.json and .md.

    python bench/dataset_examples_bench.py                 # 256 frames, lite0
    python bench/dataset_examples_bench.py --frames 64     # quick
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_site import setup_django  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="efficientnet-lite0")
    parser.add_argument("--frames", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--top", type=int, default=9)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def make_frames(folder: Path, count: int) -> None:
    """`count` different 640×360 pictures: crops of the sample images at random places."""
    import numpy as np
    from PIL import Image
    from skimage import data

    names = [
        "astronaut",
        "coffee",
        "chelsea",
        "rocket",
        "immunohistochemistry",
        "hubble_deep_field",
    ]
    pictures = [
        Image.fromarray(getattr(data, n)()).convert("RGB").resize((1024, 768)) for n in names
    ]
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    for i in range(count):
        picture = pictures[i % len(pictures)]
        x, y = int(rng.integers(0, 384)), int(rng.integers(0, 408))
        crop = picture.crop((x, y, x + 640, y + 360))
        noise = rng.integers(-40, 40, size=(360, 640, 3))  # no two frames near-duplicates
        pixels = np.clip(np.asarray(crop, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"frame{i:05d}.jpg", quality=90)


def forward_only(loaded, frames, batch_size: int) -> float:
    from catalog.corpora.dataset_examples import open_frame
    from renderer.examples import images_to_batch, read_layers

    names = [layer.name for layer in loaded.layers]
    batches = [
        images_to_batch([open_frame(f) for f in frames[i : i + batch_size]], loaded)
        for i in range(0, len(frames), batch_size)
    ]
    started = time.perf_counter()
    for batch in batches:
        read_layers(loaded, batch, names)
    return time.perf_counter() - started


def main(argv=None) -> dict:
    args = parse_args(argv)
    import torch

    with tempfile.TemporaryDirectory(prefix="examples-bench-") as work:
        work = Path(work)
        setup_django(work, args.device)
        from catalog.atlas.registration import register_network
        from catalog.corpora.dataset_examples import compute_dataset_examples
        from catalog.corpora.ingest import add_corpus
        from catalog.corpora.models import Corpus
        from renderer import load_network

        make_frames(work / "corpus", args.frames)
        ingest = add_corpus("bench", work / "corpus", every=2.0)
        loaded = load_network(args.network, device=args.device)
        network = register_network(args.network, loaded=loaded)
        corpus = Corpus.objects.get(name="bench")
        frames = list(corpus.frames.order_by("id"))
        started = time.perf_counter()
        report = compute_dataset_examples(
            network, corpus, top=args.top, loaded=loaded, batch_size=args.batch_size
        )
        total = time.perf_counter() - started
        forward = forward_only(loaded, frames, args.batch_size)
    result = {
        "network": args.network,
        "layers": len(loaded.layers),
        "channels": report.channels,
        "frames": report.frames,
        "batch_size": args.batch_size,
        "top": args.top,
        "seconds": round(total, 2),
        "seconds_per_1000_frames": round(1000 * total / max(report.frames, 1), 1),
        "forward_seconds_per_1000_frames": round(1000 * forward / max(report.frames, 1), 1),
        "ingest_seconds": round(ingest.seconds, 2),
        "device": args.device,
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
    }
    write(result, Path(args.out), "gpu" if args.device.startswith("cuda") else "cpu")
    print(json.dumps(result))
    return result


def write(result: dict, out: Path, kind: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"dataset_examples_bench-{kind}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(
        f"# Dataset examples, {result['network']}, every layer ({result['channels']} channels)\n\n"
        f"| frames | batch | seconds / 1,000 frames | forward only / 1,000 frames |\n"
        f"|---|---|---|---|\n"
        f"| {result['frames']} | {result['batch_size']} | {result['seconds_per_1000_frames']} "
        f"| {result['forward_seconds_per_1000_frames']} |\n\n"
        f"Device {result['device']}, {result['torch_threads']} torch threads, "
        f"{result['machine']}.\n"
    )


if __name__ == "__main__":
    main()
