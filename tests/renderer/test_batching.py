import pytest

from renderer import RenderSpec
from renderer.batching import CPU_BATCH, HEADROOM, MAX_BATCH, batch_size_for, batch_size_from

MB = 2**20


def test_the_batch_is_what_free_memory_holds_less_headroom():
    assert batch_size_from(per_element=10 * MB, free=1000 * MB, wanted=500) == int(
        1000 * HEADROOM / 10
    )
    assert batch_size_from(per_element=10 * MB, free=1000 * MB, wanted=30) == 30
    assert batch_size_from(per_element=1, free=10**15, wanted=10**6) == MAX_BATCH
    assert batch_size_from(per_element=100 * MB, free=50 * MB, wanted=8) == 1  # never 0
    assert batch_size_from(per_element=0, free=0, wanted=8) == 1  # a probe that saw nothing


class Readings:
    """Memory readings given by the test, logged with the probe's forward passes."""

    def __init__(self, events: list, per_element: int, free: int):
        self.events, self.per_element, self.free_bytes = events, per_element, free

    def reset_peak(self):
        self.events.append("reset")

    def allocated(self):
        self.events.append("allocated")
        return 500 * MB

    def peak(self):
        self.events.append("peak")
        return 500 * MB + 2 * self.per_element

    def free(self):
        self.events.append("free")
        return self.free_bytes


def test_the_probe_measures_a_two_element_step_between_its_readings(lite0):
    spec = RenderSpec("efficientnet-lite0", "block3", 5, size=32, steps=64)
    events = []
    hook = lite0.model.register_forward_pre_hook(
        lambda _, inputs: events.append(("forward", len(inputs[0])))
    )
    try:
        readings = Readings(events, per_element=40 * MB, free=2000 * MB)
        size = batch_size_for(lite0, spec, 500, memory=readings)
    finally:
        hook.remove()
    assert size == int(2000 * HEADROOM / 40)
    assert events[:2] == ["reset", "allocated"] and events[-2:] == ["peak", "free"]
    probe_passes = events[2:-2]
    assert ("forward", 2) in probe_passes  # the probe optimized two elements …
    assert probe_passes.count(("forward", 2)) == 2  # … for one step, then measured them


@pytest.mark.parametrize("wanted, expected", [(100, CPU_BATCH), (3, 3), (0, 1)])
def test_on_the_cpu_the_batch_is_fixed_without_a_probe(lite0, wanted, expected):
    spec = RenderSpec("efficientnet-lite0", "block3", 5, size=32, steps=8)
    assert batch_size_for(lite0, spec, wanted) == expected
