"""Thin views, by concept: `atlas` (networks, layers, channels, stills, curation, batches,
exports), `films` (the film pages)."""
