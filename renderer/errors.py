"""Errors the renderer raises: each says what failed and, where it helps, what to do."""


class RendererError(Exception):
    """Base class of every error the renderer raises on purpose."""


class UnknownNetwork(RendererError, KeyError):
    """No network of that name is registered and no architecture was given."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown network"


class UnknownLayer(RendererError, KeyError):
    """The network has no visualizable layer of that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown layer"


class WeightsUnavailable(RendererError):
    """Pretrained weights are neither given as a file nor downloadable."""


class SpecError(RendererError, ValueError):
    """A render parameter is invalid; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class RenderCancelled(RendererError):
    """The caller asked the engine to stop before the last step."""


class WeightsMismatch(RendererError):
    """A weights file does not fit the architecture: a short summary of what differs
    (counts and the first few keys) and of what the file looks like."""
