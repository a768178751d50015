"""Benchmark: are class-logit stills pictures that another network recognises?

Class-logit stills of efficientnet-lite0 (ours, batched; and lucent's `render_vis`, one
class at a time, same classes, size and steps) are shown to efficientnet-lite1, a
separately trained network that never saw the optimization. For each configuration: how
many of the classes are in lite1's top 5, and lite1's probability of the class.

    python bench/recognition_bench.py                       # 64 and 256 steps, 128 px
    python bench/recognition_bench.py --steps 64 --renderers ours --device cuda
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
import torch.nn.functional as F
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import RenderSpec, load_network, render_batch  # noqa: E402
from renderer.zoo import default_device  # noqa: E402

# goldfish, flamingo, golden retriever, tabby, monarch, lighthouse, pizza, volcano
CLASSES = (1, 130, 207, 281, 323, 437, 963, 980)
NETWORK, JUDGE = "efficientnet-lite0", "efficientnet-lite1"
DEFAULTS = RenderSpec(NETWORK, "logits", 0)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[64, DEFAULTS.steps])
    parser.add_argument("--size", type=int, default=DEFAULTS.size)
    parser.add_argument("--classes", type=int, nargs="+", default=list(CLASSES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--renderers", nargs="+", default=["ours", "lucent"])
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def render_ours(
    network, classes, steps: int, size: int, seed: int, learning_rate: float | None = None
) -> list[np.ndarray]:
    """Our engine: every class in one batch (at RenderSpec's learning rate unless given)."""
    rate = {"learning_rate": learning_rate} if learning_rate else {}
    specs = [
        RenderSpec(network.name, "logits", c, size=size, steps=steps, seed=seed, **rate)
        for c in classes
    ]
    return [np.asarray(r.image, dtype=np.float32) / 255 for r in render_batch(network, specs)]


def render_lucent(network, classes, steps: int, size: int, seed: int) -> list[np.ndarray]:
    """lucent's `render_vis` with its standard transforms, one class at a time."""
    from lucent.optvis import param, render, transform

    layer = network.layer("logits").module.replace(".", "_")
    images = []
    for channel in classes:
        torch.manual_seed(seed * 1000 + channel)
        np.random.seed(seed * 1000 + channel)
        result = render.render_vis(
            network.model,
            f"{layer}:{channel}",
            param_f=lambda: param.image(size),
            transforms=[*transform.standard_transforms, network.preprocess],
            thresholds=(steps,),
            preprocess=False,
            show_image=False,
            progress=False,
        )
        images.append(result[0][0])
    return images


def judge(judge_net, classes, images: list[np.ndarray]) -> list[dict]:
    """The judge's verdict on each image, resized to its input size."""
    tensors = [torch.from_numpy(np.ascontiguousarray(i[..., :3])).permute(2, 0, 1) for i in images]
    batch = torch.stack(tensors)
    batch = F.interpolate(batch, size=judge_net.input_size, mode="bilinear", antialias=True)
    with torch.no_grad():
        probs = judge_net.model(judge_net.preprocess(batch.to(judge_net.device))).softmax(1)
    verdicts = []
    for cls, row in zip(classes, probs.cpu(), strict=True):
        top5 = row.topk(5).indices.tolist()
        verdicts.append(
            {
                "class": cls,
                "label": judge_net.labels[cls],
                "top5": cls in top5,
                "rank": int((row > row[cls]).sum()) + 1,
                "probability": round(float(row[cls]), 4),
                "judge_top1": judge_net.labels[top5[0]],
            }
        )
    return verdicts


def summary(verdicts: list[dict]) -> dict:
    return {
        "top5_hits": sum(v["top5"] for v in verdicts),
        "classes": len(verdicts),
        "mean_probability": round(float(np.mean([v["probability"] for v in verdicts])), 4),
    }


def contact_sheet(rows: list[tuple[str, list[np.ndarray]]], path: Path) -> None:
    """One row of stills per configuration (small PNG, for looking at them)."""
    side = 96
    width = side * max(len(images) for _, images in rows)
    sheet = Image.new("RGB", (width, side * len(rows)), "white")
    for r, (_, images) in enumerate(rows):
        for c, image in enumerate(images):
            tile = Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8)[..., :3])
            sheet.paste(tile.resize((side, side), Image.Resampling.LANCZOS), (c * side, r * side))
    sheet.save(path)


def main(argv=None) -> dict:
    args = parse_args(argv)
    device = torch.device(args.device) if args.device else default_device()
    network = load_network(NETWORK, device=device)
    judge_net = load_network(JUDGE, device=device)
    renderers = {"ours": render_ours, "lucent": render_lucent}
    runs, sheet = [], []
    for steps in args.steps:
        for name in args.renderers:
            for seed in args.seeds:
                started = time.perf_counter()
                images = renderers[name](network, args.classes, steps, args.size, seed)
                seconds = time.perf_counter() - started
                verdicts = judge(judge_net, args.classes, images)
                run = {"renderer": name, "steps": steps, "seed": seed, **summary(verdicts)}
                print(f"{name} {steps} steps seed {seed}: {run['top5_hits']}/8", flush=True)
                runs.append({**run, "seconds": round(seconds, 1), "verdicts": verdicts})
                sheet.append((f"{name}-{steps}-{seed}", images))
    result = {
        "device": device_name(device),
        "torch": torch.__version__,
        "network": NETWORK,
        "judge": JUDGE,
        "size": args.size,
        "classes": args.classes,
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write(result, Path(args.out), device.type, sheet)
    return result


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads, {platform.processor() or platform.machine()})"


def table(result: dict) -> str:
    rows = [
        f"{result['network']} class-logit stills, {result['size']} px, judged by "
        f"{result['judge']} ({result['device']}):",
        "",
        "| renderer | steps | seed | lite1 top-5 | mean p(class) | seconds | misses (its top 1) |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        misses = ", ".join(
            f"{v['label']} ({v['judge_top1']})" for v in run["verdicts"] if not v["top5"]
        )
        rows.append(
            f"| {run['renderer']} | {run['steps']} | {run['seed']} | "
            f"{run['top5_hits']}/{run['classes']} | {run['mean_probability']} | "
            f"{run['seconds']} | {misses or '—'} |"
        )
    return "\n".join(rows)


def write(result: dict, folder: Path, kind: str, sheet) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"recognition-{kind}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(result) + "\n")
    contact_sheet(sheet, stem.with_suffix(".png"))
    print(table(result))


if __name__ == "__main__":
    main()
