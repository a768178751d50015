"""Neural Atlas renderer: feature visualizations with PyTorch and lucent, no Django.

from renderer import load_network, RenderSpec, render
net = load_network("efficientnet-lite0")
still = render(net, RenderSpec("efficientnet-lite0", "block12", channel=3, steps=64))
still.image.save("block12-3.png"); print(still.figures)
"""

from renderer import networks  # noqa: F401  (importing it registers every network)
from renderer.engine import RenderResult, render, render_batch
from renderer.errors import (
    RenderCancelled,
    RendererError,
    SpecError,
    UnknownLayer,
    UnknownNetwork,
    WeightsMismatch,
    WeightsUnavailable,
)
from renderer.spec import RENDERER_VERSION, RenderSpec
from renderer.zoo import Network, load_network, register_network, registered_networks

__all__ = [
    "RENDERER_VERSION",
    "Network",
    "RenderCancelled",
    "RenderResult",
    "RenderSpec",
    "RendererError",
    "SpecError",
    "UnknownLayer",
    "UnknownNetwork",
    "WeightsMismatch",
    "WeightsUnavailable",
    "load_network",
    "register_network",
    "registered_networks",
    "render",
    "render_batch",
]
