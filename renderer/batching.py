"""How many stills to optimize at once: as many as the device's free memory holds.

On a GPU a probe step with two elements measures the memory one element takes; the
arithmetic that turns that and the free memory into a batch size is `batch_size_from`.
The probe reads the device through a small `MemoryReadings` seam, so that the probe
path can be exercised on a CPU with readings given by a test.
"""

from __future__ import annotations

from typing import Protocol

import torch

from renderer.spec import RenderSpec
from renderer.zoo import Network

CPU_BATCH = 16  # two to sixteen CPU threads gain little from larger batches
MAX_BATCH = 1024
HEADROOM = 0.8
PROBE_ELEMENTS = 2


class MemoryReadings(Protocol):
    """What the probe reads from a device: its allocations, their peak and what is free."""

    def reset_peak(self) -> None: ...
    def allocated(self) -> int: ...
    def peak(self) -> int: ...
    def free(self) -> int: ...


class CudaMemory:
    """`MemoryReadings` of a CUDA device, from torch's caching allocator."""

    def __init__(self, device: torch.device):
        self.device = device

    def reset_peak(self) -> None:
        torch.cuda.synchronize(self.device)
        torch.cuda.reset_peak_memory_stats(self.device)

    def allocated(self) -> int:
        return torch.cuda.memory_allocated(self.device)

    def peak(self) -> int:
        return torch.cuda.max_memory_allocated(self.device)

    def free(self) -> int:
        return torch.cuda.mem_get_info(self.device)[0]


def batch_size_from(per_element: float, free: int, wanted: int) -> int:
    """The batch that fits `free` bytes (less headroom) at `per_element` bytes each,
    at least 1 and at most `wanted` and `MAX_BATCH`."""
    fits = int(free * HEADROOM / max(1.0, per_element))
    return max(1, min(wanted, MAX_BATCH, fits))


def batch_size_for(
    network: Network, spec: RenderSpec, wanted: int, memory: MemoryReadings | None = None
) -> int:
    """The batch size for `wanted` stills like `spec`: on a GPU (or with `memory` given),
    measured by a probe step with two elements; on the CPU, `CPU_BATCH`."""
    if memory is None:
        if network.device.type != "cuda" or "frames" in network.extra:
            return max(1, min(wanted, CPU_BATCH))
        memory = CudaMemory(network.device)
    from renderer.engine import optimize

    probe = RenderSpec(spec.network, spec.layer, 0, style=spec.style, size=spec.size, steps=1)
    memory.reset_peak()
    before = memory.allocated()
    optimize(network, [probe] * PROBE_ELEMENTS)
    per_element = (memory.peak() - before) / PROBE_ELEMENTS
    return batch_size_from(per_element, memory.free(), wanted)
