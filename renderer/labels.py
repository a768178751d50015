"""Class labels files: one class per line, or Places365's `categories_places365.txt`.

Places365 publishes lines like `/a/airfield 0` and `/b/bakery/shop 13`: a path under a
letter folder and the class index. They read as "airfield" and "bakery shop".
"""

from __future__ import annotations

import re
from pathlib import Path

from renderer.errors import WeightsUnavailable

_PLACES_LINE = re.compile(r"^(/\S+)\s+(\d+)$")
_LETTER_FOLDER = re.compile(r"^/[a-z]/")


def read_labels(path: str | Path) -> list[str]:
    """The class names in `path`, in class order.

    A Places365 file (every line `/PATH INDEX`) is put in index order, each path made
    readable (`/b/bakery/shop` → "bakery shop"); any other file is one label per line.
    """
    if not Path(path).is_file():
        raise WeightsUnavailable(f"labels file {str(path)!r} does not exist")
    lines = [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]
    if not lines:
        raise WeightsUnavailable(f"labels file {str(path)!r} has no labels")
    indexed = [_PLACES_LINE.match(line) for line in lines]
    if all(indexed):
        by_index = {int(match[2]): readable(match[1]) for match in indexed}
        if sorted(by_index) == list(range(len(lines))):
            return [by_index[i] for i in range(len(lines))]
    return lines


def readable(name: str) -> str:
    """`/b/bakery/shop` → "bakery shop"; `/a/apartment_building/outdoor` →
    "apartment building outdoor"."""
    name = _LETTER_FOLDER.sub("", name)
    return " ".join(name.replace("/", " ").replace("_", " ").split())
