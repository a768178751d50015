import json
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

import renderer
from catalog.corpora.clips import MOTION
from catalog.corpora.training import (
    FOLDERS,
    TrainingInputError,
    train_network,
    train_temporal_network,
)
from renderer.temporal.training import TEMPORAL_DEFAULTS
from renderer.training import TrainingOptions


class Command(BaseCommand):
    help = (
        "Fine-tune a base network to labels of a corpus's frames and register the result as "
        "the network NAME, whose logits carry the labels."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the new network's name")
        parser.add_argument("--corpus", required=True, help="the corpus whose frames to learn")
        parser.add_argument(
            "--labels",
            help="a CSV with the header 'file,label' (file: a path relative to the corpus "
            "folder or a glob; a video's label applies to its frames; later lines win), or "
            f"'{FOLDERS}': each frame's label is its first folder; with --temporal also "
            "'file,start,end,label' (the clips within those seconds)",
        )
        parser.add_argument(
            "--temporal",
            action="store_true",
            help="train a network that sees time, on clips of the corpus's videos",
        )
        parser.add_argument(
            "--frames", type=int, default=8, help="frames a clip (--temporal; default 8)"
        )
        parser.add_argument(
            "--rate",
            type=float,
            help="frames a second taken from the videos (--temporal; default: every frame)",
        )
        parser.add_argument(
            "--motion",
            action="store_true",
            help="label each clip by its camera movement (still, pan left/right, tilt "
            "up/down, zoom in/out), estimated from its frames (--temporal)",
        )
        defaults = TrainingOptions()
        parser.add_argument("--base", default=defaults.base, help="the zoo network to start from")
        parser.add_argument(
            "--epochs",
            type=int,
            help=f"default {defaults.epochs}, {TEMPORAL_DEFAULTS['epochs']} with --temporal",
        )
        parser.add_argument(
            "--size", type=int, default=defaults.input_size, help="input size to train at"
        )
        parser.add_argument(
            "--patience",
            type=int,
            help=f"epochs without a better held-out accuracy before stopping (default "
            f"{defaults.patience}, {TEMPORAL_DEFAULTS['patience']} with --temporal)",
        )
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the result as JSON"
        )

    def handle(self, name, corpus, labels, as_json, **options):
        started = time.perf_counter()
        temporal = options["temporal"]
        if options["motion"] and not temporal:
            raise CommandError("--motion labels clips: it needs --temporal")
        if options["motion"] and labels:
            raise CommandError("give --labels or --motion, not both")
        if not labels and not options["motion"]:
            raise CommandError(
                "give --labels (a CSV or 'folders')" + (" or --motion" if temporal else "")
            )
        if temporal and labels == FOLDERS:
            raise CommandError("--temporal: label clips by a CSV or --motion, not by folders")
        try:
            given = {k: options[k] for k in ("epochs", "patience") if options[k] is not None}
            training = TrainingOptions(
                **{**(TEMPORAL_DEFAULTS if temporal else {}), **given},
                base=options["base"],
                input_size=options["size"],
                seed=options["seed"],
            )
            with tqdm(total=training.epochs, unit="epoch", desc=name, disable=None) as bar:
                if temporal:
                    network, report = train_temporal_network(
                        name,
                        corpus,
                        MOTION if options["motion"] else labels,
                        training,
                        frames=options["frames"],
                        rate=options["rate"],
                        progress=_progress(bar),
                    )
                else:
                    network, report = train_network(
                        name, corpus, labels, training, progress=_progress(bar)
                    )
        except (TrainingInputError, renderer.RendererError) as exc:
            raise CommandError(str(exc)) from exc
        summary = {
            "network": network.name,
            "train_accuracy": report["train_accuracy"],
            "val_accuracy": report["val_accuracy"],
            "classes": report["classes"],
            "frames": report["frames"],
            "confusion": report["confusion"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        if temporal:
            summary["clips"] = report["clips"]
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        unit = "clips" if temporal else "frames"
        self.stdout.write(
            f"Registered {network.name}: {len(report['classes'])} classes, "
            f"{report['frames']} {unit} ({report['val_frames']} held out), "
            f"accuracy {report['train_accuracy']:.0%} on training {unit} and "
            f"{report['val_accuracy']:.0%} held out (epoch {report['best_epoch']}), "
            f"in {summary['seconds']} s."
        )


def _progress(bar):
    def report(epoch):
        bar.set_postfix(
            loss=epoch.train_loss, train=f"{epoch.train_accuracy:.2f}", val=epoch.val_accuracy
        )
        bar.update(1)

    return report
