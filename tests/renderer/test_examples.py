"""`renderer.examples`: crop boxes and the running top-k / bottom-k."""

import pytest
import torch

from renderer.examples import LayerReading, RunningExtremes, crop_box


def test_a_crop_box_is_centred_on_its_cell_and_stays_inside_the_frame():
    left, top, width, height = crop_box(position=3 * 14 + 7, grid=(14, 14))
    assert (width, height) == pytest.approx((4 / 14, 4 / 14))
    assert left + width / 2 == pytest.approx(7.5 / 14)
    assert top + height / 2 == pytest.approx(3.5 / 14)
    corner = crop_box(position=0, grid=(112, 112))
    assert corner == pytest.approx((0.0, 0.0, 0.2, 0.2))  # never smaller than a fifth
    assert crop_box(position=0, grid=(1, 1)) == (0.0, 0.0, 1.0, 1.0)


def reading(maxima, minima) -> LayerReading:
    maxima, minima = torch.tensor(maxima), torch.tensor(minima)
    positions = torch.zeros_like(maxima, dtype=torch.long)
    return LayerReading(maxima, positions, minima, positions + 1, (2, 2))


def test_merging_batches_keeps_the_k_strongest_and_weakest_of_all_of_them():
    extremes = RunningExtremes(channels=2, k=2)
    first = extremes.merge(
        reading([[1.0, 5.0], [3.0, 0.0]], [[0.0, -1.0], [-2.0, 0.0]]), torch.tensor([10, 11])
    )
    assert first.tolist() == [True, True]
    assert extremes.top.ids.tolist() == [[11, 10], [10, 11]]
    second = extremes.merge(reading([[2.0, -1.0]], [[-5.0, 1.0]]), torch.tensor([12]))
    assert second.tolist() == [True, False]  # channel 1's top and bottom are unchanged
    assert extremes.top.ids[0].tolist() == [11, 12]
    assert extremes.top.values[0].tolist() == [3.0, 2.0]
    assert extremes.bottom.ids[0].tolist() == [12, 11]
    assert extremes.bottom.values[0].tolist() == [-5.0, -2.0]
    assert extremes.bottom.positions[0].tolist() == [1, 1]
