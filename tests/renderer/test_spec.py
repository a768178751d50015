import dataclasses

import pytest

from renderer import RenderSpec, SpecError


def spec(**overrides):
    return RenderSpec(
        **{"network": "efficientnet-lite0", "layer": "block3", "channel": 1, **overrides}
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("channel", -1),
        ("size", 8),
        ("steps", 0),
        ("seed", -3),
        ("style", "oil"),
        ("learning_rate", 0),
        ("transforms", "wild"),
        ("steps", 2.5),
        ("network", ""),
    ],
)
def test_an_invalid_value_raises_an_error_naming_its_field(field, value):
    with pytest.raises(SpecError) as error:
        spec(**{field: value})
    assert error.value.field == field
    assert field in str(error.value)


def test_it_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec().steps = 3


def test_from_params_parses_strings_and_names_the_bad_field():
    assert spec().__class__.from_params(
        network="n", layer="l", channel="2", steps="10", learning_rate="0.1"
    ) == RenderSpec("n", "l", 2, steps=10, learning_rate=0.1)
    with pytest.raises(SpecError) as error:
        RenderSpec.from_params(network="n", layer="l", channel="2", size="big")
    assert error.value.field == "size"
    with pytest.raises(SpecError) as error:
        RenderSpec.from_params(network="n", layer="l", channel="2", colour="red")
    assert error.value.field == "colour"


def test_the_cache_key_depends_on_spec_and_weights_only():
    assert spec().cache_key("w1") == spec().cache_key("w1")
    assert spec().cache_key("w1") != spec().cache_key("w2")
    assert spec().cache_key("w1") != spec(seed=1).cache_key("w1")
    assert len(spec().cache_key("w1")) == 32
