"""A deployment in miniature: gunicorn (DEBUG off), PostgreSQL, Redis and two workers that
share nothing but the database, Redis and the media folder, as if on two machines.

The workers run the same installed code from two separate working folders; a batch render
of one layer is split between them, and gunicorn serves the pages and stills they made.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg
import pytest
import redis

from tests.conftest import ROOT, WORKER_QUEUES, _free_port
from tests.postgres_cluster import Cluster, server_binaries

MACHINES = ("machine-a", "machine-b")
LAYER = "stem"


@pytest.fixture
def deployment(tmp_path, redis_url):
    """The environment every process of the deployment shares, with its PostgreSQL."""
    if server_binaries() is None:
        pytest.fail("PostgreSQL is not installed: run scripts/setup, which installs it")
    with Cluster() as cluster:
        yield {
            "DJANGO_SETTINGS_MODULE": "atlas_site.settings",
            "PATH": f"{sys.prefix}/bin:/usr/bin:/bin",
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": cluster.url,
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(tmp_path / "shared-media"),  # the NFS mount of a deployment
            "ATLAS_PRIVATE_ROOT": str(tmp_path / "shared-private"),
            "DEBUG": "false",
            "SECRET_KEY": "smoke-test-key-not-the-development-one-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP in the test; TLS is the proxy's
            "ATLAS_DEVICE": "cpu",
            "ATLAS_STILL_SIZE": "32",
            "ATLAS_STILL_STEPS": "4",
            "ATLAS_CLASS_STILL_STEPS": "0",
            "ATLAS_JOB_SIZE": "4",
            "ATLAS_PROGRESS_INTERVAL": "0.2",
        }


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def start(command: list[str], cwd, env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "w")
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]
    except OSError:
        return 0, b"", ""


def test_two_workers_on_two_machines_share_a_batch_and_gunicorn_serves_it(deployment, tmp_path):
    env = deployment
    manage(env, "migrate", "--no-input")
    manage(env, "add_network", "efficientnet-lite0")
    processes = []
    try:
        port = _free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "atlas_site.wsgi:application"]
        gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"]
        processes.append(start(gunicorn, ROOT, env, tmp_path / "gunicorn.log"))
        site = f"http://127.0.0.1:{port}"
        # (the about page: the home page would queue its strip's stills on the fill queue)
        wait_for(lambda: get(site + "/about/")[0] == 200, "gunicorn")
        for name in MACHINES:
            folder = tmp_path / name  # its own working folder: nothing local is shared
            folder.mkdir()
            worker = [sys.executable, str(ROOT / "manage.py"), "rqworker", *WORKER_QUEUES]
            worker_env = {**env, "ATLAS_WORKER_NAME": name}
            processes.append(start(worker, folder, worker_env, folder / "worker.log"))
        connection = redis.Redis.from_url(env["REDIS_URL"])
        wait_for(lambda: connection.scard("rq:workers") == 2, "two workers ready")

        args = ("render_network", "efficientnet-lite0", "--layers", LAYER, "--wait", "--json")
        progress = json.loads(manage(env, *args, timeout=600).strip().splitlines()[-1])
        assert progress["status"] == "finished" and progress["done"] == progress["total"] > 0

        split = rendered_by(env["DATABASE_URL"])
        print(f"\nbatch of {progress['total']} stills split between the workers: {split}")
        assert set(split) == set(MACHINES), split
        assert sum(split.values()) == progress["total"]

        status, page, _ = get(f"{site}/n/efficientnet-lite0/{LAYER}/")
        assert status == 200
        images = re.findall(r'src="(/media/stills/[^"]+\.png)"', page.decode())
        assert len(images) == progress["total"]
        for image in images[:4]:
            status, body, content_type = get(site + image)
            assert status == 200 and content_type == "image/png" and body[:4] == b"\x89PNG"
        status, body, _ = get(site + "/no-such-page/")
        assert status == 404 and b"Traceback" not in body and b"URLconf" not in body  # no DEBUG
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def rendered_by(database_url: str) -> dict[str, int]:
    """How many stills each worker rendered."""
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT rendered_by, count(*) FROM catalog_still WHERE status = 'done' "
            "GROUP BY rendered_by"
        ).fetchall()
    return dict(rows)
