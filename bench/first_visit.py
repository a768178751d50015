"""Benchmark: how soon a new atlas shows itself, and how fast a sketch comes back meanwhile.

A fresh atlas as `scripts/run` makes it (SQLite, its own redis-server, efficientnet-lite0
and -lite1, one worker `rqworker live fill render default`, the dev server), on a
throwaway folder. The home page is opened once; then the seconds until it shows stills of
every network (each network has a rendered default still). Then, while a large layer
fills (its page opened), a visitor's 64-step 128 px variant is asked for `--sketches`
times (new seeds): seconds from the request until its status is done, median. Writes
bench/results/first_visit-cpu.md.

    python bench/first_visit.py [--sketches 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT / "bench"))
from temporal_bench import cpu_name  # noqa: E402

FILLING_LAYER = "/n/efficientnet-lite0/block10/"  # 112 channels


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, opener) -> str:
    with opener.open(url, timeout=60) as response:
        return response.read().decode()


def counts(db: Path) -> dict:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select n.name, s.status, count(*) from catalog_still s "
            "join catalog_channel c on s.channel_id = c.id "
            "join catalog_layer l on c.layer_id = l.id "
            "join catalog_network n on l.network_id = n.id where s.is_default group by 1, 2"
        ).fetchall()
    found: dict = {}
    for network, status, count in rows:
        found.setdefault(network, {})[status] = count
    return found


def wait_until(check, timeout: float, every: float = 1.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(every)
    raise TimeoutError("not within the time allowed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sketches", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "first_visit-cpu.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="first-visit-"))
    redis_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "ATLAS_PRIVATE_ROOT": str(work / "private"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    processes = [subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", ""],
                                  stdout=subprocess.DEVNULL)]  # fmt: skip
    try:
        for command in (["migrate", "-v0"], ["add_network", "efficientnet-lite0"],
                        ["add_network", "efficientnet-lite1"]):  # fmt: skip
            subprocess.run(manage + command, env=env, check=True, stdout=subprocess.DEVNULL)
        log = open(work / "worker.log", "w")  # noqa: SIM115 - closed with the processes
        worker = ["rqworker", "live", "fill", "render", "default"]
        server = ["runserver", f"127.0.0.1:{web_port}", "--noreload"]
        for command in (worker, server):
            processes.append(subprocess.Popen(manage + command, env=env, stdout=log, stderr=log))
        site = f"http://127.0.0.1:{web_port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        wait_until(lambda: _up(site), 60, 0.5)
        time.sleep(5)  # the worker loads its networks
        db = work / "db.sqlite3"
        started = time.monotonic()
        get(site + "/", opener)
        queued = sum(sum(by.values()) for by in counts(db).values())
        networks = ("efficientnet-lite0", "efficientnet-lite1")
        wait_until(lambda: all(counts(db).get(n, {}).get("done", 0) >= 1 for n in networks), 1800)
        every_network = time.monotonic() - started
        print(f"stills of every network after {every_network:.1f} s: {counts(db)}", flush=True)
        get(site + FILLING_LAYER, opener)  # a big layer starts filling
        time.sleep(10)
        sketches = []
        for seed in range(1, args.sketches + 1):
            page = get(
                f"{site}/n/efficientnet-lite0/block10/5/?steps=64&size=128&seed={seed}", opener
            )
            began = time.monotonic()
            status_url = re.search(r'data-status-url="([^"]+)"', page).group(1)
            wait_until(lambda url=status_url: _status(site + url, opener) == "done", 300, 0.1)
            sketches.append(time.monotonic() - began)
            print(f"sketch {seed}: {sketches[-1]:.1f} s", flush=True)
            time.sleep(3)
        filling = counts(db)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker finishing its job: stop it now
                process.kill()
                process.wait()
    lines = [
        f"# A new atlas's first visit (bench/first_visit.py), {cpu_name()}, {os.cpu_count()} cores",
        "",
        "One worker (`rqworker live fill render default`), the dev server, SQLite, both "
        "embedded networks, nothing else running.",
        "",
        f"- the home page's first visit queued {queued} default stills",
        f"- **stills of every network on the home page after {every_network:.0f} s**",
        f"- a visitor's 64-step 128 px variant while `{FILLING_LAYER}` fills: "
        f"{', '.join(f'{s:.1f}' for s in sketches)} s "
        f"(median **{statistics.median(sketches):.1f} s**)",
        f"- default stills by status when the sketches were done: {json.dumps(filling)}",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _status(url: str, opener) -> str:
    return json.loads(get(url, opener))["status"]


def _up(site: str) -> bool:
    try:
        urllib.request.urlopen(site + "/about/", timeout=5).read()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
