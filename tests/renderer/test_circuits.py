"""`renderer.circuits` on real efficientnet-lite0 weights and real photographs: the links
it reports are the ones the network depends on."""

import numpy as np
import pytest
import torch

from renderer.circuits import (
    CircuitError,
    attribution,
    layer_pairs,
    next_layer,
    previous_layer,
    strongest_inputs,
    strongest_outputs,
)
from renderer.examples import images_to_batch
from renderer.layers import StopForward, forward_until
from tests.catalog.corpus_helpers import natural

PHOTOGRAPHS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins")


@pytest.fixture(scope="module")
def photographs(lite0):
    return images_to_batch([natural(name) for name in PHOTOGRAPHS], lite0)


def target_means(network, images, source, target, removed=()):
    """Each image's mean of every `target` channel, with the `source` channels `removed`
    (set to zero) in the forward pass."""
    model = network.model
    held = {}

    def remove(_module, _inputs, output):
        output = output.clone()
        output[:, list(removed)] = 0.0
        return output

    def stop(_module, _inputs, output):
        held["out"] = output
        raise StopForward

    handles = [model.get_submodule(network.layer(target).module).register_forward_hook(stop)]
    if removed:
        handles.append(
            model.get_submodule(network.layer(source).module).register_forward_hook(remove)
        )
    try:
        with torch.no_grad():
            forward_until(model, network.preprocess(images))
    finally:
        for handle in handles:
            handle.remove()
    return held["out"].float().mean(dim=(2, 3))


@pytest.mark.parametrize(
    "source,target", [("block4", "block5"), ("block11", "block12"), ("block15", "head")]
)
def test_removing_the_strongest_inputs_changes_a_channel_more_than_removing_random_ones(
    lite0, photographs, source, target
):
    weights = attribution(lite0, photographs, source, target).numpy() / len(photographs)
    intact = target_means(lite0, photographs, source, target)
    rng = np.random.default_rng(0)
    sources = weights.shape[0]
    ratios = []
    for channel in rng.choice(weights.shape[1], size=6, replace=False):
        top = [link.source for link in strongest_inputs(weights[:, [channel]], 3)[0]]
        strongest = target_means(lite0, photographs, source, target, removed=top)
        change = (strongest - intact)[:, channel].abs().mean()
        random_changes = [
            (target_means(lite0, photographs, source, target, removed=picks) - intact)[:, channel]
            .abs()
            .mean()
            for picks in (rng.choice(sources, size=3, replace=False).tolist() for _ in range(4))
        ]
        ratios.append(float(change / np.median(random_changes)))
    assert sum(ratio > 1 for ratio in ratios) >= 5, ratios  # measured: 5 or 6 of 6
    assert np.median(ratios) > 2, ratios  # measured: 3–20


def test_the_weights_are_signed_and_gradient_x_activation_is_additive_over_images(
    lite0, photographs
):
    both = attribution(lite0, photographs, "block11", "block12")
    halves = attribution(lite0, photographs[:3], "block11", "block12") + attribution(
        lite0, photographs[3:], "block11", "block12"
    )
    assert both.shape == (192, 192)
    assert torch.allclose(both, halves, rtol=1e-3, atol=1e-4)
    assert (both > 0).any() and (both < 0).any()


def test_links_come_strongest_first_by_magnitude():
    weights = np.array([[0.1, -3.0], [-0.5, 1.0], [0.2, 2.0]])
    inputs = strongest_inputs(weights, 2)
    assert [(link.source, link.weight) for link in inputs[1]] == [(0, -3.0), (2, 2.0)]
    outputs = strongest_outputs(weights, 1)
    assert [(link.target, link.weight) for link in outputs[0]] == [(1, -3.0)]


def test_the_first_layer_has_no_inputs_and_the_last_no_outputs(lite0):
    with pytest.raises(CircuitError, match="'stem' is the first"):
        previous_layer(lite0, "stem")
    with pytest.raises(CircuitError, match="'logits' is the last"):
        next_layer(lite0, "logits")
    assert layer_pairs(lite0, ["logits"]) == [("head", "logits")]
    assert layer_pairs(lite0, ["block0"]) == [("stem", "block0"), ("block0", "block1")]
    assert len(layer_pairs(lite0)) == len(lite0.layers) - 1
