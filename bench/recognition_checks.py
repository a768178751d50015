"""Benchmark: do eyes other than the one the recipe was tuned against recognise class stills?

The class-logit stills of efficientnet-lite0 (ours, batched; lucent's `render_vis`, the
same classes, size, steps and seeds) are shown to efficientnet-lite1 under checks the
recipe was never fitted to (other input sizes, a centre crop, a mirror image, small
rotations), and to efficientnet-lite2, a further separately trained ImageNet network that
no recipe was ever tuned against. For each renderer and check: how many stills have their
class in the judge's top 5 (of classes × seeds), and the mean probability of the class. Writes
bench/results/recognition_checks-cpu.md (and .json).

    python bench/recognition_checks.py [--steps 64] [--seeds 0 1]
    python bench/recognition_checks.py --steps 256 --ours 256:0.05 128:0.08 --label defaults
    python bench/recognition_checks.py --ours 256:0.05 128:0.08 --seeds 2 3 --no-lucent --label s23
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.v2.functional as TF

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from recognition_bench import CLASSES, JUDGE, NETWORK, render_lucent, render_ours  # noqa: E402
from temporal_bench import cpu_name  # noqa: E402

from renderer import load_network  # noqa: E402


def centre_crop(share: float):
    def crop(batch):
        side = round(batch.shape[-1] * share)
        return TF.center_crop(batch, [side, side])

    return crop


def rotated(degrees: float):
    return lambda batch: TF.rotate(batch, degrees, TF.InterpolationMode.BILINEAR, fill=0.5)


def unchanged(batch):
    return batch


def mirrored(batch):
    return batch.flip(-1)


LITE1, LITE2 = JUDGE, "efficientnet-lite2"
# name: (the judge, how the still is changed, the side the judge sees it at; None: its input)
CHECKS = {
    "lite1 as tuned (240 px)": (LITE1, unchanged, None),
    "lite1 at 160 px": (LITE1, unchanged, 160),
    "lite1 at 320 px": (LITE1, unchanged, 320),
    "lite1, centre 75 %": (LITE1, centre_crop(0.75), None),
    "lite1, mirrored": (LITE1, mirrored, None),
    "lite1, rotated +10°": (LITE1, rotated(10), None),
    "lite1, rotated −10°": (LITE1, rotated(-10), None),
    "lite2, never tuned on (260 px)": (LITE2, unchanged, None),
    "lite2 at 192 px": (LITE2, unchanged, 192),
    "lite2, centre 75 %": (LITE2, centre_crop(0.75), None),
    "lite2, mirrored": (LITE2, mirrored, None),
    "lite2, rotated +10°": (LITE2, rotated(10), None),
}


def verdicts(judges, classes, images, check) -> list[tuple[bool, float]]:
    judge_name, change, side = check
    judge = judges[judge_name]
    stills = [torch.from_numpy(np.ascontiguousarray(i[..., :3])).permute(2, 0, 1) for i in images]
    batch = change(torch.stack(stills).float())
    batch = F.interpolate(batch, size=side or judge.input_size, mode="bilinear", antialias=True)
    with torch.no_grad():
        probabilities = judge.model(judge.preprocess(batch.to(judge.device))).softmax(1).cpu()
    return [
        (c in row.topk(5).indices.tolist(), float(row[c]))
        for c, row in zip(classes, probabilities, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--label", default="", help="a name for this recipe in the table")
    parser.add_argument("--ours", nargs="+", default=[], metavar="STEPS:RATE",
                        help="our recipes (default: --steps at RenderSpec's rate)")  # fmt: skip
    parser.add_argument("--no-lucent", action="store_true", help="our recipes only")
    args = parser.parse_args()
    network = load_network(NETWORK, device="cpu")
    judges = {name: load_network(name, device="cpu") for name in (LITE1, LITE2)}
    classes = list(CLASSES)
    stills, seconds = {}, {}
    recipes = {"ours": (args.steps, None)}
    if args.ours:
        pairs = [recipe.split(":") for recipe in args.ours]
        recipes = {f"ours {s} steps, lr {r}": (int(s), float(r)) for s, r in pairs}
    renders = {name: partial(render_ours, learning_rate=rate, steps=steps)
               for name, (steps, rate) in recipes.items()}  # fmt: skip
    if not args.no_lucent:
        renders["lucent"] = partial(render_lucent, steps=args.steps)
    for name, render in renders.items():
        started = time.perf_counter()
        stills[name] = [
            image
            for seed in args.seeds
            for image in render(network, classes, size=args.size, seed=seed)
        ]
        seconds[name] = round(time.perf_counter() - started, 1)
    judged_classes = classes * len(args.seeds)
    rows = {}
    for check_name, check in CHECKS.items():
        for name, images in stills.items():
            found = verdicts(judges, judged_classes, images, check)
            rows.setdefault(check_name, {})[name] = {
                "top5": sum(hit for hit, _ in found),
                "of": len(found),
                "mean_probability": round(float(np.mean([p for _, p in found])), 4),
            }
    result = {"cpu": cpu_name(), "steps": args.steps, "size": args.size, "seeds": args.seeds,
              "classes": classes, "seconds": seconds, "checks": rows, "label": args.label,
              "measured_at": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
    lines = [
        f"Class stills of {NETWORK} ({args.steps} steps, {args.size} px, seeds "
        f"{' '.join(map(str, args.seeds))}: {len(judged_classes)} stills a renderer) judged by "
        f"{LITE1} and {LITE2} under checks the recipe was not tuned on; CPU {cpu_name()}"
        + (f"; recipe: {args.label}" if args.label else ""),
        "",
        "| check | " + " | ".join(f"{n}: top 5 | {n}: p(class)" for n in stills) + " |",
        "|---|" + "---|---|" * len(stills),
    ]
    for check_name, by in rows.items():
        cells = [f"{by[n]['top5']}/{by[n]['of']} | {by[n]['mean_probability']:.3f}" for n in stills]
        lines.append(f"| {check_name} | " + " | ".join(cells) + " |")
    total = {name: sum(by[name]["top5"] for by in rows.values()) for name in stills}
    checks = len(rows) * len(judged_classes)
    lines += [
        "",
        "All checks: " + ", ".join(f"{n} {total[n]}/{checks}" for n in stills) + ". Render "
        "time (seconds, all seeds): " + ", ".join(f"{n} {seconds[n]}" for n in stills) + ".",
    ]
    folder = Path(args.out)
    stem = folder / f"recognition_checks{'-' + args.label if args.label else ''}-cpu"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
