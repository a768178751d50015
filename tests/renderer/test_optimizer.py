import pytest
import torch

from renderer.optimizer import FlooredAdam


def run(optimizer_for, weights: torch.Tensor, steps: int = 20) -> torch.Tensor:
    param = torch.zeros_like(weights, requires_grad=True)
    optimizer = optimizer_for([param])
    for _ in range(steps):
        optimizer.zero_grad()
        (param * weights).sum().backward()
        optimizer.step()
    return param.detach()


def test_without_a_floor_it_is_adam():
    weights = torch.randn(4, 3, 8, 5, generator=torch.Generator().manual_seed(0))
    ours = run(lambda p: FlooredAdam(p, lr=0.05, floor=0.0), weights)
    adam = run(lambda p: torch.optim.Adam(p, lr=0.05), weights)
    assert torch.allclose(ours, adam, atol=1e-6)


def test_weak_gradients_move_in_proportion_and_each_element_has_its_own_floor():
    # element 0: one strong coefficient and one a millionth as strong; element 1: weak only
    weights = torch.tensor([[1.0, 1e-6], [1e-6, 1e-6]])
    ours = run(lambda p: FlooredAdam(p, lr=0.05, floor=0.1), weights)
    adam = run(lambda p: torch.optim.Adam(p, lr=0.05), weights)
    # Adam: the same step for both of element 0's coefficients
    assert adam[0, 1].item() == pytest.approx(adam[0, 0].item(), rel=0.01)
    assert ours[0, 0].item() == pytest.approx(adam[0, 0].item(), rel=1e-4)
    assert abs(ours[0, 1]) < 1e-4 * abs(ours[0, 0])
    # element 1's own largest coefficient sets its floor: it moves as under Adam
    assert ours[1].tolist() == pytest.approx(adam[1].tolist(), rel=0.01)


def test_a_floor_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="floor"):
        FlooredAdam([torch.zeros(2, requires_grad=True)], lr=0.1, floor=2.0)


def test_the_engine_steps_with_the_optimizer_it_is_given(lite0):
    from renderer import RenderSpec, engine

    specs = [RenderSpec(lite0.name, "stem", 3, size=32, steps=3)]
    built = []

    def frozen(params, lr):
        built.append(lr)
        return torch.optim.SGD(params, lr=0.0)

    still = engine.optimize(lite0, specs, make_optimizer=frozen)
    stepped = engine.optimize(lite0, specs)
    with torch.no_grad():
        start = engine.make_style(specs[0].style, still.plan, 32, lite0.device)[1]()
        assert built and torch.equal(still.image_fn(), start)
        assert not torch.equal(stepped.image_fn(), start)
