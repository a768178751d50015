from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from renderer import RenderSpec, SpecError, render
from renderer.prints import PrintPlan, render_print

QUICK = PrintPlan(tile=256, margin=16, steps=2, batch=8)


def fine_detail(image: np.ndarray) -> float:
    """Energy at the finest scale: variance of the Laplacian of the grey image."""
    grey = torch.from_numpy(image.astype(np.float32).mean(axis=2) / 255)[None, None]
    kernel = torch.tensor([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=torch.float32)[None, None]
    return float(F.conv2d(grey, kernel).var())


def test_a_print_at_2048_has_detail_an_upscaled_still_lacks(lite0):
    spec = RenderSpec("efficientnet-lite0", "stem", 5, size=64, steps=16)
    steps = []
    image = render_print(lite0, spec, 2048, plan=QUICK, progress=lambda d, t: steps.append((d, t)))
    assert image.size == (2048, 2048) and image.mode == "RGB"
    assert steps[-1][0] == steps[-1][1]  # progress reaches the end
    upscaled = np.asarray(render(lite0, spec).image.resize((2048, 2048), resample=3))
    printed = np.asarray(image)
    assert fine_detail(printed) > 20 * fine_detail(upscaled)
    # … and it is the same picture, refined: the coarse structure survives.
    small = lambda a: np.asarray(  # noqa: E731
        F.avg_pool2d(torch.from_numpy(a.astype(np.float32)).permute(2, 0, 1)[None], 64)
    )
    assert np.corrcoef(small(printed).ravel(), small(upscaled).ravel())[0, 1] > 0.8


def test_a_cppn_print_is_resampled_at_full_size(lite0):
    spec = RenderSpec("efficientnet-lite0", "block3", 5, style="cppn", size=48, steps=8)
    image = render_print(lite0, spec, 1024, plan=QUICK)
    assert image.size == (1024, 1024)
    assert np.asarray(image).std() > 1


def test_a_print_refuses_set_objectives_and_shrinking(lite0):
    with pytest.raises(SpecError) as error:
        spec = RenderSpec("efficientnet-lite0", "block3", 5, objective="diversity", count=2)
        render_print(lite0, spec, 1024)
    assert error.value.field == "objective"
    with pytest.raises(SpecError) as error:
        render_print(lite0, RenderSpec("efficientnet-lite0", "block3", 5, size=256), 128)
    assert error.value.field == "size"


def test_a_transparent_print_refines_alpha_with_colour_and_saves_as_rgba(lite0, tmp_path):
    spec = RenderSpec("efficientnet-lite0", "stem", 5, style="transparent", size=32, steps=4)
    plan = PrintPlan(tile=32, margin=8, steps=2, batch=4)
    image = render_print(lite0, spec, 64, plan=plan)
    assert image.size == (64, 64) and image.mode == "RGBA"
    image.save(tmp_path / "print.png")
    with Image.open(tmp_path / "print.png") as saved:
        assert saved.mode == "RGBA"
        assert np.array_equal(np.asarray(saved), np.asarray(image))
    # The tiles refine alpha too: it is not the still's alpha, merely upsampled.
    upsampled = render_print(lite0, spec, 64, plan=replace(plan, steps=0))
    alpha, upsampled_alpha = (np.asarray(i, dtype=np.float32)[..., 3] for i in (image, upsampled))
    assert alpha.std() > 0
    assert np.abs(alpha - upsampled_alpha).mean() > 1
