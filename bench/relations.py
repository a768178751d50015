"""Benchmark: circuits for every layer of a network over the sample corpus, and one
activation atlas, each timed end to end as `compute_circuits` and `activation_atlas` run
them (frames read from storage, links and cells written to the database).

A throwaway database and media folder; the sample corpus (scikit-image's photographs and
their crops, 70 frames) is written and ingested untimed. Each measurement is repeated
(the median is reported and written after every repeat; the stored circuits and atlas
are deleted between repeats). On this 2-core CPU one repeat takes about 10 minutes.
Writes bench/results/relations-{cpu,gpu}.{json,md}.

    python bench/relations.py                          # lite0, atlas of block5, 3 repeats
    python bench/relations.py --atlas-layer block10 --grid 6 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
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
    parser.add_argument("--atlas-layer", default="block5")
    parser.add_argument("--grid", type=int, default=8)
    parser.add_argument("--steps", type=int, default=128)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def time_circuits(network, corpus, loaded) -> dict:
    from catalog.relations.circuits import compute_circuits
    from catalog.relations.models import CircuitLink, CircuitScan

    CircuitLink.objects.filter(source__layer__network=network).delete()
    CircuitScan.objects.filter(corpus=corpus).delete()
    started = time.perf_counter()
    report = compute_circuits(network, corpus, loaded=loaded)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "pairs": report.pairs, "frames": report.frames,
            "links": report.links}  # fmt: skip


def time_atlas(network, corpus, loaded, args) -> dict:
    from catalog.relations.atlases import compute_activation_atlas
    from catalog.relations.models import ActivationAtlas

    layer = network.layers.get(name=args.atlas_layer)
    started = time.perf_counter()
    atlas = compute_activation_atlas(
        network, layer, corpus, grid=args.grid, steps=args.steps, size=args.size,
        loaded=loaded, again=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    atlas = ActivationAtlas.objects.get(id=atlas.id)
    if atlas.status != ActivationAtlas.DONE:
        raise SystemExit(f"atlas {atlas.id} ended {atlas.status}: {atlas.error}")
    return {"seconds": seconds, "cells": atlas.cells.count()}


def median_of(runs: list[dict]) -> dict:
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return {**middle, "seconds": round(statistics.median(r["seconds"] for r in runs), 2),
            "all_seconds": [round(r["seconds"], 2) for r in runs]}  # fmt: skip


def main(argv=None) -> dict:
    args = parse_args(argv)
    import torch

    with tempfile.TemporaryDirectory(prefix="relations-bench-") as work:
        setup_django(Path(work), args.device)
        from catalog.atlas.registration import register_network
        from catalog.corpora.samples import add_sample_corpus
        from renderer import load_network

        corpus = add_sample_corpus()
        loaded = load_network(args.network, device=args.device)
        network = register_network(args.network, loaded=loaded)
        frames = corpus.frames.count()
        circuits, atlases = [], []
        for repeat in range(args.repeats):
            circuits.append(time_circuits(network, corpus, loaded))
            print(f"circuits {repeat + 1}: {circuits[-1]['seconds']:.1f} s", flush=True)
            atlases.append(time_atlas(network, corpus, loaded, args))
            print(f"atlas {repeat + 1}: {atlases[-1]['seconds']:.1f} s", flush=True)
            result = summary(args, frames, circuits, atlases, torch.get_num_threads())
            write(result, Path(args.out), "gpu" if args.device.startswith("cuda") else "cpu")
    print(json.dumps(result))
    return result


def summary(args, frames: int, circuits: list, atlases: list, threads: int) -> dict:
    """The medians so far (written after every repeat: a stopped run keeps its figures)."""
    return {
        "network": args.network,
        "corpus_frames": frames,
        "circuits": median_of(circuits),
        "atlas": {
            "layer": args.atlas_layer,
            "grid": args.grid,
            "steps": args.steps,
            "size": args.size,
            **median_of(atlases),
        },  # fmt: skip
        "repeats": len(circuits),
        "device": args.device,
        "torch_threads": threads,
        "machine": platform.processor() or platform.machine(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def write(result: dict, out: Path, kind: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"relations-{kind}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    circuits, atlas = result["circuits"], result["atlas"]
    stem.with_suffix(".md").write_text(
        f"# Relations, {result['network']}, sample corpus ({result['corpus_frames']} frames)\n\n"
        "| work | seconds (median) | all runs | what |\n|---|---|---|---|\n"
        f"| circuits, every layer | {circuits['seconds']} | {circuits['all_seconds']} "
        f"| {circuits['pairs']} layer pairs, {circuits['frames']} frame readings, "
        f"{circuits['links']} links |\n"
        f"| activation atlas, {atlas['layer']} | {atlas['seconds']} | {atlas['all_seconds']} "
        f"| {atlas['grid']}×{atlas['grid']} grid, {atlas['cells']} cells, "
        f"{atlas['steps']} steps, {atlas['size']} px |\n\n"
        f"Device {result['device']}, {result['torch_threads']} torch threads, "
        f"{result['machine']}, {result['repeats']} repeats, {result['measured_at']}.\n"
    )


if __name__ == "__main__":
    main()
