"""What a worker needs to start anywhere: the database, Redis, media and its device."""

import subprocess
import sys

from tests.conftest import ROOT, WORKER_QUEUES, worker_env


def start_worker(settings, **env) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "rqworker", *WORKER_QUEUES, "--burst"]
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**worker_env(settings), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_worker_renders_on_the_device_atlas_device_names(transactional_db, settings):
    started = start_worker(settings, ATLAS_DEVICE="cpu", ATLAS_WORKER_NAME="gpu-box-1")
    assert started.returncode == 0, started.stderr[-2000:]
    assert "worker gpu-box-1 renders on cpu" in started.stderr


def test_a_worker_with_a_device_the_machine_lacks_stops_at_start_saying_why(
    transactional_db, settings
):
    started = start_worker(settings, ATLAS_DEVICE="cuda:7")
    assert started.returncode != 0
    assert "ATLAS_DEVICE='cuda:7', but this machine has" in started.stderr
