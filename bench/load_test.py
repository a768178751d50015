"""Load run against a real server: cached pages under locust, then a crowd asking for variants.

Sets up a throwaway atlas (SQLite, its own redis-server, efficientnet-lite0 with 8 stills of
block10 rendered), starts gunicorn with the production settings (DEBUG off), and
1. runs locust for `--seconds` with `--users` visitors reading cached pages: p50, p99, errors;
2. sends `--crowd` anonymous clients (no cookies), each asking for `--asks` new variants at
   once, with no worker running: how many were queued and refused, and how long the queues
   grew (bounded by ATLAS_MAX_PENDING_VARIANTS; all come from one address here, so the
   per-address rate is lifted for the run).
Writes bench/results/load_test-cpu.{json,md}. Run on a quiet machine:
    .venv/bin/python bench/load_test.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def ask(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--crowd", type=int, default=20)
    parser.add_argument("--asks", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="atlas-load-"))
    redis_port, web_port = free_port(), free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        MEDIA_ROOT=str(folder / "media"),
        ATLAS_PRIVATE_ROOT=str(folder / "private"),
        STATIC_ROOT=str(folder / "static"),
        DEBUG="false",
        SECRET_KEY="load-test-" + os.urandom(24).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ATLAS_STILL_SIZE="64",
        ATLAS_STILL_STEPS="16",
        ATLAS_CLASS_STILL_STEPS="0",
        ATLAS_DEVICE="cpu",
        # All clients come from 127.0.0.1 here: lift the per-address rate so that the cap
        # on pending variants (ATLAS_MAX_PENDING_VARIANTS) is what bounds the queue.
        ATLAS_VARIANT_RATE="10000/m",
    )
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "", "--dir", str(folder)],
                stdout=subprocess.DEVNULL,
            )
        )

        def manage(*words):
            subprocess.run([PYTHON, "manage.py", *words], cwd=ROOT, env=env, check=True)

        manage("migrate", "-v0")
        manage("add_network", "efficientnet-lite0", "--if-missing")
        manage("render_layer", "efficientnet-lite0", "block10", "--channels", "0-7", "--inline")
        base = f"http://127.0.0.1:{web_port}"
        processes.append(
            subprocess.Popen(
                [
                    BIN / "gunicorn",
                    "atlas_site.wsgi",
                    "-b",
                    f"127.0.0.1:{web_port}",
                    "-w",
                    str(args.web_workers),
                    "--threads",
                    "4",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )  # fmt: skip
        )
        wait_for(base + "/")

        stats = folder / "locust"
        subprocess.run(
            [BIN / "locust", "-f", ROOT / "bench/locustfile.py", "--headless",
             "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
             "--host", base, "--csv", str(stats), "--only-summary"],
            cwd=ROOT, check=False,
        )  # fmt: skip
        with open(f"{stats}_stats.csv") as rows:
            total = next(row for row in csv.DictReader(rows) if row["Name"] == "Aggregated")

        urls = [
            f"{base}/n/efficientnet-lite0/block10/{c % 8}/?seed={100 + c * args.asks + a}"
            for c in range(args.crowd)
            for a in range(args.asks)
        ]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.crowd) as pool:
            codes = list(pool.map(ask, urls))
        crowd_seconds = time.monotonic() - started
        import redis

        connection = redis.Redis(port=redis_port)
        queued = sum(
            connection.llen(f"rq:queue:{q}") for q in ("live", "fill", "render", "default")
        )
        result = {
            "pages": {
                "seconds": args.seconds,
                "users": args.users,
                "requests": int(total["Request Count"]),
                "failures": int(total["Failure Count"]),
                "p50_ms": float(total["50%"]),
                "p99_ms": float(total["99%"]),
                "requests_per_s": round(float(total["Requests/s"]), 1),
            },
            "crowd": {
                "clients": args.crowd,
                "asks_each": args.asks,
                "ok": codes.count(200),
                "refused_429": codes.count(429),
                "other": len(codes) - codes.count(200) - codes.count(429),
                "jobs_queued": queued,
                "seconds": round(crowd_seconds, 2),
            },
            "web": f"gunicorn, {args.web_workers} processes × 4 threads, DEBUG off, SQLite",
            "cpu": f"{os.cpu_count()} cores",
        }
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)
    out = ROOT / "bench/results/load_test-cpu"
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    pages, crowd = result["pages"], result["crowd"]
    out.with_suffix(".md").write_text(
        "| run | requests | errors | p50 | p99 | req/s |\n|---|---|---|---|---|---|\n"
        f"| cached pages, {pages['users']} users, {pages['seconds']} s | {pages['requests']} | "
        f"{pages['failures']} | {pages['p50_ms']:.0f} ms | {pages['p99_ms']:.0f} ms | "
        f"{pages['requests_per_s']} |\n\n"
        f"{crowd['clients']} anonymous clients × {crowd['asks_each']} new variants at once: "
        f"{crowd['ok']} answered 200, {crowd['refused_429']} refused (429), "
        f"{crowd['other']} other; jobs in the queues afterwards: {crowd['jobs_queued']}.\n"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
