import numpy as np
import pytest
import torch

from renderer import RenderSpec, render
from renderer.plan import plan_batch
from renderer.styles import cppn_image, make_style

from .helpers import channel_mean


def spec(style, **overrides):
    values = {"size": 64, "steps": 24, "style": style, **overrides}
    return RenderSpec("efficientnet-lite0", "block10", 3, **values)


@pytest.mark.parametrize("style", ["fourier", "pixel", "cppn", "transparent"])
def test_every_style_renders_a_still_that_excites_its_channel(lite0, style):
    result = render(lite0, spec(style))
    assert result.image.size == (64, 64)
    assert result.image.mode == ("RGBA" if style == "transparent" else "RGB")
    start = make_style(style, plan_batch(lite0, [spec(style)], None), 64, lite0.device)[1]()
    from PIL import Image

    start_image = Image.fromarray(
        (start[0, :3].permute(1, 2, 0).detach().numpy() * 255).astype(np.uint8)
    )
    before = channel_mean(lite0, "block10", 3, start_image)
    assert result.figures["objective"] > before + 1.0


def test_a_transparent_still_has_a_non_trivial_alpha(lite0):
    alpha = np.asarray(render(lite0, spec("transparent", steps=48)).image)[..., 3] / 255
    assert 0.1 < alpha.mean() < 0.9  # neither opaque nor empty
    assert alpha.std() > 0.1  # varies across the still: the subject more opaque
    assert alpha.max() - alpha.min() > 0.5


def test_a_cppn_renders_at_any_resolution_from_the_same_weights():
    _, image_fn = cppn_image([5], 32, torch.device("cpu"))
    small, large = image_fn(32), image_fn(256)
    assert small.shape == (1, 3, 32, 32) and large.shape == (1, 3, 256, 256)
    downsampled = torch.nn.functional.avg_pool2d(large, 8)
    assert torch.allclose(downsampled, small, atol=0.02)
    rows = image_fn(256, slice(100, 110))
    assert torch.allclose(rows, large[:, :, 100:110], atol=1e-6)
