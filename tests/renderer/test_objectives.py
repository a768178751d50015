import numpy as np
import pytest
import torch

from renderer import RenderSpec, SpecError, render, render_batch
from renderer.objectives import excess_values, target_values
from renderer.plan import SEED_STRIDE, plan_batch
from renderer.styles import photo_tensor

from .helpers import channel_mean, gram_similarity, make_photograph


def spec(objective="channel", **overrides):
    values = {"size": 64, "steps": 32, "objective": objective, "seed": 3, **overrides}
    return RenderSpec("efficientnet-lite0", "block10", 3, **values)


def test_neuron_negative_and_class_logit_objectives_render(lite0):
    neuron, negative = render_batch(lite0, [spec("neuron"), spec("negative")])
    assert neuron.figures["objective"] > 0
    assert negative.figures["objective_a"] < 0  # the channel is suppressed
    assert negative.figures["rank"] <= 3  # … more than almost any other channel
    logit = render(lite0, RenderSpec("efficientnet-lite0", "logits", 207, size=64, steps=16))
    assert logit.figures["objective"] > 0


def test_neuron_needs_a_spatial_layer(lite0):
    with pytest.raises(SpecError) as error:
        render(lite0, RenderSpec("efficientnet-lite0", "logits", 1, objective="neuron"))
    assert error.value.field == "objective"


def test_a_diversity_set_is_stills_of_one_channel_that_differ(lite0):
    """Pixel bound: below a mean absolute difference of 0.05 (13 of 255 levels) two stills
    read as the same image, so a set under it has collapsed (independent seeds give about
    0.10). The diversity term itself is checked where it acts: the members' Gram matrices
    at the layer must be less alike than those of plain stills from the same seeds."""
    diverse = render(lite0, spec("diversity", count=4))
    assert len(diverse.images) == 4 and diverse.image.size == (256, 64)
    assert diverse.figures["pairwise_distance"] > 0.05
    seeds = [3 + i * SEED_STRIDE for i in range(4)]
    plain = [result.image for result in render_batch(lite0, [spec(seed=s) for s in seeds])]
    plain_similarity = gram_similarity(lite0, "block10", plain)
    assert gram_similarity(lite0, "block10", diverse.images) < plain_similarity - 0.1
    assert all(frame["rank"] <= 5 for frame in diverse.frames)  # each still shows the channel


def test_interpolation_frames_go_from_channel_a_to_channel_b(lite0):
    frames = render(lite0, spec("interpolate", channel_b=7, count=5, steps=48)).frames
    a = [frame["objective_a"] for frame in frames]
    b = [frame["objective_b"] for frame in frames]
    assert np.corrcoef(range(5), a)[0, 1] < -0.8 and a[0] > a[-1]
    assert np.corrcoef(range(5), b)[0, 1] > 0.8 and b[-1] > b[0]


def test_dream_amplifies_a_channel_in_the_photograph(lite0):
    photo, digest = make_photograph()
    dream = spec("dream", style="pixel", photo=digest, steps=24, size=96)
    result = render(lite0, dream, photos={digest: photo})
    start = photo_tensor(photo, 96).permute(1, 2, 0).numpy()
    out = np.asarray(result.image, dtype=np.float32) / 255
    before = channel_mean(lite0, "block10", 3, photo.resize((96, 96)))
    assert result.figures["objective"] > before + 5  # toward the channel …
    assert np.abs(out - start).mean() < 0.1  # … and still the photograph


def test_dream_refuses_a_missing_photograph(lite0):
    _, digest = make_photograph()
    with pytest.raises(SpecError) as error:
        render(lite0, spec("dream", style="pixel", photo=digest))
    assert error.value.field == "photo"


def test_the_optimized_value_is_activity_above_the_usual_level_not_the_mean(lite0):
    """A channel firing strongly in places beats a flat response of a higher mean: what
    makes an edge detector of a dense layer draw edges instead of a flat colour."""
    plan = plan_batch(lite0, [RenderSpec("efficientnet-lite0", "stem", 1)] * 2, None)
    levels = torch.full((32,), 3.0)
    activations = torch.full((2, 32, 4, 4), 3.0)
    activations[0, 1] = 3.2  # flat, just above the usual level: mean 3.2
    activations[1, 1, :, ::2], activations[1, 1, :, 1::2] = 6.0, 0.0  # stripes: mean 3.0
    pattern = torch.zeros(32, dtype=torch.bool)
    flat, stripes = excess_values(activations, plan, levels, pattern).tolist()
    assert stripes > 5 * flat > 0
    assert target_values(activations, plan).tolist() == pytest.approx([3.2, 3.0])
    # a colour channel is raised on its plain mean above the level: the flat field wins
    colour = pattern.clone()
    colour[1] = True
    assert excess_values(activations, plan, levels, colour).tolist() == pytest.approx([0.2, 0.0])
