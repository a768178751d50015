"""The networks the zoo loads: importing this package registers every loader.

One file per network or kind of file, each registering itself with `renderer.zoo`: by
name `efficientnet_lite` and `inception`; by `arch` `torchvision_arch` (state-dict files,
read by `weights`), `torchscript`, `trained` and `temporal` (networks that see clips).
To add a network, add a file here that calls `register_network` and import it below.
"""

from renderer.networks import (
    efficientnet_lite,
    inception,
    temporal,
    torchscript,
    torchvision_arch,
    trained,
)

__all__ = [
    "efficientnet_lite",
    "inception",
    "temporal",
    "torchscript",
    "torchvision_arch",
    "trained",
]
