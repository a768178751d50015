"""How many stills to optimize at once: as many as the device's free memory holds."""

from __future__ import annotations

import torch

from renderer.spec import RenderSpec
from renderer.zoo import Network

CPU_BATCH = 16  # two to sixteen CPU threads gain little from larger batches
MAX_BATCH = 1024
HEADROOM = 0.8


def batch_size_for(network: Network, spec: RenderSpec, wanted: int) -> int:
    """The batch size for `wanted` stills like `spec`: on a GPU, measured by a probe step
    with two elements; on the CPU, `CPU_BATCH`."""
    if network.device.type != "cuda":
        return max(1, min(wanted, CPU_BATCH))
    from renderer.engine import optimize

    probe = RenderSpec(spec.network, spec.layer, 0, style=spec.style, size=spec.size, steps=1)
    device = network.device
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    optimize(network, [probe, probe])
    per_element = max(1, (torch.cuda.max_memory_allocated(device) - before) / 2)
    free, _ = torch.cuda.mem_get_info(device)
    return max(1, min(wanted, MAX_BATCH, int(free * HEADROOM / per_element)))
