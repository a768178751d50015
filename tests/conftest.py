"""Real services for the tests: a redis-server process, RQ worker processes, SQLite files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKER_QUEUES = ("live", "fill", "render", "default")
# The PostgreSQL pass of scripts/test (`-m postgres`): where the database engine matters
# (concurrent claims, transactions, workers sharing the database). Kept short on purpose.
POSTGRES_MODULES = {
    "test_jobs.py",
    "test_batches.py",
    "test_races.py",
    "test_storage.py",
    "test_split_into_apps.py",
}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if item.path.name in POSTGRES_MODULES:
            item.add_marker(pytest.mark.postgres)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """A real redis-server on a free port, for the whole session."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.fail("redis-server is not installed: run scripts/test, which installs it")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def atlas_settings(settings, redis_url, tmp_path):
    """Every test: the session's Redis (flushed), its own media folder, quick progress."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    settings.RQ_QUEUES = {
        name: {"URL": redis_url, "DEFAULT_TIMEOUT": 600} for name in WORKER_QUEUES
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ATLAS_PRIVATE_ROOT = tmp_path / "private"
    settings.ATLAS_PROGRESS_INTERVAL = 0.0
    settings.ATLAS_DEFAULT_STILL = {"size": 48, "steps": 8}
    settings.ATLAS_CLASS_STILL = {}  # class stills as the default still, tiny
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    return settings


@pytest.fixture(scope="session")
def lite0():
    """The embedded efficientnet-lite0 with its real ImageNet weights, loaded once."""
    from renderer import load_network

    return load_network("efficientnet-lite0", device="cpu")


@pytest.fixture
def registered(lite0, db):
    """efficientnet-lite0 registered in the catalog."""
    from catalog.atlas.registration import register_network

    return register_network("efficientnet-lite0", loaded=lite0)


def database_url() -> str:
    """The URL of the database the tests use (the test database), for other processes."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(settings) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="atlas_site.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=settings.RQ_QUEUES["render"]["URL"],
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        ATLAS_PRIVATE_ROOT=str(settings.ATLAS_PRIVATE_ROOT),
        ATLAS_PROGRESS_INTERVAL="0",
        ATLAS_DEVICE="cpu",
        # Workers share the test's atlas settings, as workers and web share the environment.
        ATLAS_STILL_SIZE=str(settings.ATLAS_DEFAULT_STILL["size"]),
        ATLAS_STILL_STEPS=str(settings.ATLAS_DEFAULT_STILL["steps"]),
        ATLAS_CLASS_STILL_STEPS=str(settings.ATLAS_CLASS_STILL.get("steps", 0)),
        ATLAS_BATCH_SIZE=str(settings.ATLAS_BATCH_SIZE),
        ATLAS_JOB_SIZE=str(settings.ATLAS_JOB_SIZE),
        ATLAS_WORKER_TICK=str(settings.ATLAS_WORKER_TICK),
        ATLAS_STALE_AFTER=str(settings.ATLAS_STALE_AFTER),
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def run_worker(settings, transactional_db):
    """Run a real RQ worker process in burst mode: it works the queues until they are empty."""

    def run(timeout: float = 300) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", "rqworker", *WORKER_QUEUES, "--burst"]
        result = subprocess.run(
            command,
            cwd=ROOT,
            env=worker_env(settings),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    return run


@pytest.fixture
def background_worker(settings, transactional_db):
    """A real RQ worker process that runs until the test ends."""
    command = [sys.executable, "manage.py", "rqworker", *WORKER_QUEUES]
    log = open(settings.MEDIA_ROOT.parent / "worker.log", "w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=worker_env(settings), stdout=log, stderr=subprocess.STDOUT
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def curator(db, django_user_model):
    """A curator: a user in the curators group, not staff."""
    from catalog.people import make_curator

    user = django_user_model.objects.create_user("carla", password="pw-for-tests")
    make_curator(user)
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def render_inline(channels) -> list:
    """Render the default stills of `channels` in this process; the stills, done."""
    from catalog.atlas.jobs import render_stills

    stills = [channel.still_for(channel.spec()) for channel in channels]
    render_stills([still.id for still in stills])
    for still in stills:
        still.refresh_from_db()
    return stills


def queued_job_ids(settings, queues=WORKER_QUEUES) -> list[str]:
    """The ids of the jobs waiting in `queues` (default: every worker queue), in the order
    workers take them."""
    import redis

    connection = redis.Redis.from_url(settings.RQ_QUEUES["render"]["URL"])
    return [
        job_id.decode()
        for name in queues
        for job_id in connection.lrange(f"rq:queue:{name}", 0, -1)
    ]
