import json

from django.core.management.base import BaseCommand, CommandError

import renderer
from catalog.atlas.models import Network
from catalog.atlas.registration import register_network
from renderer.zoo import TORCHSCRIPT


class Command(BaseCommand):
    help = "Register a network with its layers and channels (e.g. efficientnet-lite0)."

    def add_arguments(self, parser):
        known = ", ".join(renderer.registered_networks())
        parser.add_argument("name", help=f"one of {known}, or a new name with --arch")
        parser.add_argument(
            "--weights",
            help="state-dict or checkpoint file, e.g. resnet18_places365.pth.tar "
            "('random' for speed tests)",
        )
        parser.add_argument("--arch", help="torchvision architecture, e.g. resnet18")
        parser.add_argument(
            "--torchscript", metavar="FILE", help="any classifier saved as TorchScript"
        )
        parser.add_argument(
            "--labels",
            help="labels file: one class per line, or Places365's categories file "
            "(with --arch or --torchscript)",
        )
        parser.add_argument(
            "--accuracy", help="its accuracy as published, shown on its page (quote it)"
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing if it is registered already"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="one JSON object per layer"
        )

    def handle(self, name, weights, arch, torchscript, labels, as_json, if_missing, **options):
        accuracy = options.get("accuracy")
        if torchscript:
            if weights or arch:
                raise CommandError("--torchscript FILE replaces --arch and --weights")
            arch, weights = TORCHSCRIPT, torchscript
        if if_missing and Network.objects.filter(name=name).exists():
            self.stdout.write(f"{name} is registered already.")
            return
        try:
            network = register_network(
                name, weights=weights, arch=arch, labels=labels, accuracy=accuracy
            )
        except (renderer.RendererError, OSError, RuntimeError) as exc:
            raise CommandError(f"could not register {name!r}: {exc}") from exc
        layers = network.layers.all()
        for layer in layers:
            if as_json:
                self.stdout.write(
                    json.dumps({"layer": layer.name, "channels": layer.channel_count})
                )
        if not as_json:
            total = sum(layer.channel_count for layer in layers)
            self.stdout.write(f"Registered {name}: {len(layers)} layers, {total} channels.")
