"""Files the atlas writes: atomically, readable by a separate web-server user, no debris.

A reader never sees half a file: it is written to a temporary name in the same folder,
synced, and renamed into place. A process killed mid-write leaves a `.part` file, which
`remove_stale_parts` (run by the periodic cleanup) deletes.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o644
PART_SUFFIX = ".part"


def write_atomically(target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Create or replace `target` with what `write(file)` writes, all or nothing."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=PART_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)  # mkstemp makes 0600: the web server may be another user
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale_parts(root: Path, older_than: float) -> int:
    """Delete `.part` files under `root` older than `older_than` seconds; how many."""
    root, removed = Path(root), 0
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than
    for part in root.rglob(f"*{PART_SUFFIX}"):
        try:
            if part.is_file() and part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except FileNotFoundError:  # removed by another cleanup meanwhile
            continue
    return removed
