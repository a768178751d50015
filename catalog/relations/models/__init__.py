from catalog.relations.models.atlases import ActivationAtlas, AtlasCell
from catalog.relations.models.circuits import CircuitLink, CircuitScan

__all__ = ["ActivationAtlas", "AtlasCell", "CircuitLink", "CircuitScan"]
