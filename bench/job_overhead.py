"""Per-job overhead of a render worker: time from queued to done, minus the render itself.

Starts a throwaway atlas (SQLite, its own redis-server, efficientnet-lite0) and one worker,
then renders `--jobs` tiny stills one after the other through the queue (`render_layer
--wait`, 1 step at 32 px) and reads from the database, per still, finished − queued −
render seconds: what a job costs besides optimizing (forking, loading the network,
classifying, writing). `--tree` runs another checkout (e.g. an older commit in a git
worktree) with this virtualenv, to compare before and after on the same machine:
    git worktree add /tmp/before e2c49f0
    .venv/bin/python bench/job_overhead.py --tree /tmp/before --queues render default
    .venv/bin/python bench/job_overhead.py
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--queues", nargs="+", default=["live", "fill", "render", "default"])
    parser.add_argument("--jobs", type=int, default=6)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="atlas-overhead-"))
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        MEDIA_ROOT=str(folder / "media"),
        ATLAS_PRIVATE_ROOT=str(folder / "private"),
        ATLAS_DEVICE="cpu",
        ATLAS_PROGRESS_INTERVAL="0.5",
        PYTHONPATH=str(args.tree),
    )
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    worker = None
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=args.tree, env=env, check=True)
        subprocess.run(
            [*manage, "add_network", "efficientnet-lite0"], cwd=args.tree, env=env, check=True
        )
        worker = subprocess.Popen(
            [*manage, "rqworker", *args.queues], cwd=args.tree, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(5)  # the worker starts (and, where it does, loads the networks)
        for channel in range(args.jobs):
            subprocess.run(
                [*manage, "render_layer", "efficientnet-lite0", "block10", "--channels",
                 str(channel), "--steps", "1", "--size", "32", "--wait"],
                cwd=args.tree, env=env, check=True, capture_output=True,
            )  # fmt: skip
        rows = sqlite3.connect(folder / "db.sqlite3").execute(
            "select queued_at, finished_at, seconds, status from catalog_still order by id"
        )
        overheads = []
        for queued, finished, seconds, status in rows:
            assert status == "done", status
            elapsed = datetime.fromisoformat(finished) - datetime.fromisoformat(queued)
            overheads.append(elapsed.total_seconds() - seconds)
    finally:
        for process in (worker, redis):
            if process:
                process.terminate()
                process.wait(timeout=30)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=args.tree, capture_output=True, text=True
    ).stdout.strip()
    result = {
        "tree": commit,
        "jobs": len(overheads),
        "overhead_median_s": round(statistics.median(overheads), 3),
        "overhead_each_s": [round(o, 3) for o in overheads],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
