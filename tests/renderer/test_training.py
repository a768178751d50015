"""Fine-tuning efficientnet-lite0 to a taxonomy it was never taught: stripes, checks, dots."""

import numpy as np
import pytest
import torch

from renderer import SpecError, load_network
from renderer.classify import classify
from renderer.training import Example, TrainingOptions, stratified_split, train
from tests.renderer.pattern_helpers import PATTERNS, pattern_image


def taxonomy(per_class: int, seed: int = 0) -> list[Example]:
    rng = np.random.default_rng(seed)
    return [Example(pattern_image(kind, rng), kind) for kind in PATTERNS for _ in range(per_class)]


QUICK = dict(input_size=64, batch_size=16, val_fraction=0.3)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One training run on 3 × 14 patterns, shared by the tests that read its result."""
    output = tmp_path_factory.mktemp("trained") / "patterns.pt"
    reports = []
    torch.manual_seed(123)
    result = train(taxonomy(14), output, TrainingOptions(epochs=4, **QUICK), reports.append)
    after = torch.rand(3)
    torch.manual_seed(123)
    return result, reports, output, torch.equal(after, torch.rand(3))


def test_it_learns_a_taxonomy_well_above_chance(trained):
    result, *_ = trained
    assert result.classes == sorted(PATTERNS)
    assert result.val_frames == 3 * 4 and result.train_frames == 3 * 10
    assert result.val_accuracy >= 0.75, result.epochs  # chance is 1/3
    assert result.train_accuracy >= 0.75
    confusion = np.array(result.confusion)
    assert confusion.shape == (3, 3) and confusion.sum() == result.val_frames
    assert confusion.sum(axis=1).tolist() == [4, 4, 4]  # stratified: each class held out alike
    assert np.trace(confusion) / confusion.sum() == pytest.approx(result.val_accuracy, abs=1e-3)


def test_progress_is_reported_once_per_epoch(trained):
    result, reports, *_ = trained
    assert [report.epoch for report in reports] == list(range(1, len(reports) + 1))
    assert reports == result.epochs and all(report.epochs == 4 for report in reports)
    assert reports[0].best
    assert max(report.val_accuracy for report in reports) == result.val_accuracy


def test_the_saved_network_loads_with_the_new_labels_on_its_logits(trained):
    result, _, output, _ = trained
    network = load_network("patterns", weights=str(output), arch="trained", device="cpu")
    assert network.labels == sorted(PATTERNS)
    assert network.layer("logits").channels == 3
    assert network.input_size == 64
    assert [layer.name for layer in network.layers][:2] == ["stem", "block0"]
    fresh = taxonomy(6, seed=1)
    answers = classify(network, [example.image for example in fresh], top=1)
    right = sum(answer.top[0][0] == ex.label for answer, ex in zip(answers, fresh, strict=True))
    assert right / len(fresh) >= 0.7, answers  # new patterns, never seen in training


def test_it_stops_early_when_held_out_accuracy_stops_improving(tmp_path):
    frozen = TrainingOptions(epochs=6, patience=2, learning_rate=0.0, **QUICK)
    reports = []
    result = train(taxonomy(4), tmp_path / "frozen.pt", frozen, reports.append)
    # Nothing learns, so epoch 1 stays the best and two more epochs end the run.
    assert len(reports) == 3 and result.stopped_early
    assert result.best_epoch == 1 and [r.best for r in reports] == [True, False, False]


def test_it_refuses_fewer_than_two_classes(tmp_path):
    examples = [example for example in taxonomy(3) if example.label == "dots"]
    with pytest.raises(SpecError, match="at least 2 classes") as error:
        train(examples, tmp_path / "x.pt", TrainingOptions(**QUICK))
    assert error.value.field == "labels"
    assert not (tmp_path / "x.pt").exists()


def test_it_refuses_a_class_with_a_single_image(tmp_path):
    examples = taxonomy(3)[:7]  # 3 checks, 3 dots, 1 stripes
    with pytest.raises(SpecError, match="stripes"):
        train(examples, tmp_path / "x.pt", TrainingOptions(**QUICK))


@pytest.mark.parametrize(
    "field, value", [("epochs", 0), ("val_fraction", 1.0), ("input_size", 8), ("patience", 0)]
)
def test_bad_options_name_their_field(field, value):
    with pytest.raises(SpecError) as error:
        TrainingOptions(**{field: value})
    assert error.value.field == field


def test_the_split_holds_out_every_class_alike_and_depends_on_the_seed():
    targets = [0] * 10 + [1] * 5 + [2] * 2
    train_ids, val_ids = stratified_split(targets, 0.2, seed=0)
    assert sorted(train_ids + val_ids) == list(range(17))
    assert [sum(targets[i] == c for i in val_ids) for c in range(3)] == [2, 1, 1]
    assert stratified_split(targets, 0.2, seed=0) == (train_ids, val_ids)
    assert stratified_split(targets, 0.2, seed=1) != (train_ids, val_ids)


def test_training_leaves_the_global_random_state_alone(trained):
    *_, random_state_kept = trained
    assert random_state_kept
