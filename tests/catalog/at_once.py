"""Run one atlas action in many separate processes at the same instant (race tests).

Each process is a fresh Python with its own database connection, as web processes and
workers on different machines are: `python -m tests.catalog.at_once GO ACTION ARG…`
imports everything, connects and reads what it needs, says "ready", waits until the
file GO exists (the parent creates it once every process is ready), acts, and prints a
JSON result. So every racer has read the same state before any of them writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django


def watch(still_id: str):
    """A visitor's page has read the still (new, before the start); at the start it asks
    for its render, as the channel page does."""
    from catalog.atlas.jobs import watch
    from catalog.atlas.models import Still

    still = Still.objects.get(id=int(still_id))
    return lambda: {"read": still.status, "after": watch(still).status}


def render(still_id: str):
    """A worker runs the render job of one still (it renders what it can claim)."""
    from catalog.atlas.jobs import render_stills

    return lambda: {"claimed": render_stills([int(still_id)])}


ACTIONS = {"watch": watch, "render": render}


def run_at_once(env: dict, action: str, args: list[str], count: int) -> list[dict]:
    """Start `count` processes doing `action` at the same moment; their results."""
    go = Path(tempfile.mkdtemp()) / "go"
    command = [sys.executable, "-m", "tests.catalog.at_once", str(go), action, *args]
    processes = [
        subprocess.Popen(
            command,
            env={**env, "ATLAS_WORKER_NAME": f"worker-{n}"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()[-3000:]
    go.touch()
    results = []
    for n, process in enumerate(processes):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        results.append({"worker": f"worker-{n}", **json.loads(out.strip().splitlines()[-1])})
    return results


def main(go: Path, action: str, args: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlas_site.settings")
    django.setup()
    from django.db import connection

    import catalog.atlas.jobs  # noqa: F401 (imports torch: before the start, not in the race)
    import catalog.atlas.urls  # noqa: F401

    connection.ensure_connection()
    act = ACTIONS[action](*args)  # what happens before the start (reads)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    print(json.dumps(act()))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
