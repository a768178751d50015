"""The render worker: RQ's forking worker, taught what the atlas needs.

- Networks are loaded once, in the worker, before it forks a render process per job
  (copy-on-write), so a job does not reload its network. The worker itself computes on
  one thread: a process whose OpenMP pool has started cannot fork a render process that
  uses one (it hangs); each render process gets the machine's threads back. On a GPU the
  worker renders in its own process instead (CUDA does not survive a fork).
- A render process killed from outside (SIGKILL, the OOM killer) cannot mark its stills
  (or film): the worker queues them again at once; stills of a worker that died whole stop beating
  and any worker recovers them within ATLAS_STALE_AFTER seconds.
- The periodic cleanups (expired variants and photographs, `.part` debris, sessions) run
  on one worker at a time, every ATLAS_CLEANUP_INTERVAL seconds.

Start it as `python manage.py rqworker live fill render default` (the class is configured in
settings: RQ["WORKER_CLASS"]).
"""

from __future__ import annotations

import logging
import os
import signal
import time

import torch
from django import db
from django.conf import settings
from rq.worker import Worker, WorkerStatus

import renderer
from catalog.atlas import cleanup, jobs
from catalog.atlas.models import Network, Still
from catalog.cinema import films
from catalog.cinema.models import Film

log = logging.getLogger(__name__)
RENDER_JOB = "catalog.atlas.jobs.render_stills"
FILM_JOB = "catalog.cinema.films.render_film_job"
CLEANUP_LOCK = "atlas:cleanup"


class AtlasWorker(Worker):
    """A worker that keeps networks loaded and looks after dead renders and old files."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_chores_at = 0.0
        device = renderer.zoo.default_device()  # a bad ATLAS_DEVICE stops the worker here
        log.info("worker %s renders on %s", settings.ATLAS_WORKER_NAME, device)
        self.in_process = device.type == "cuda"
        self.render_threads = torch.get_num_threads()

    def work(self, *args, **kwargs) -> bool:
        if not self.in_process:
            torch.set_num_threads(1)
        preload_networks()
        return super().work(*args, **kwargs)

    def main_work_horse(self, job, queue):
        torch.set_num_threads(self.render_threads)
        super().main_work_horse(job, queue)

    @property
    def dequeue_timeout(self) -> int:
        """Wake up often enough to look after dead renders while idle."""
        return max(1, min(super().dequeue_timeout, int(settings.ATLAS_WORKER_TICK)))

    @property
    def should_run_maintenance_tasks(self) -> bool:
        due = time.monotonic() - self.last_chores_at >= settings.ATLAS_WORKER_TICK
        return due or super().should_run_maintenance_tasks

    def run_maintenance_tasks(self) -> None:
        self.last_chores_at = time.monotonic()
        try:
            jobs.recover_stale_renders()
            films.recover_films(Film.objects.all())
            interval = settings.ATLAS_CLEANUP_INTERVAL
            if self.connection.set(CLEANUP_LOCK, self.name, nx=True, ex=interval):
                cleanup.run_cleanups()
        except Exception:  # a chore must never stop the worker
            log.exception("worker chores failed")
        finally:
            db.close_old_connections()
        if super().should_run_maintenance_tasks:
            super().run_maintenance_tasks()

    def execute_job(self, job, queue):
        if self.in_process:  # as RQ's SimpleWorker: no fork
            execution = self.prepare_execution(job)
            self.perform_job(job, queue, execution)
            self.set_state(WorkerStatus.IDLE)
            return
        db.connections.close_all()  # the render process must not share our DB sockets
        super().execute_job(job, queue)

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if job.func_name == FILM_JOB:  # its cached frames survive: queue it again at once
            films.recover_films(Film.objects.filter(id=job.args[0]), seconds=0)
        if job.func_name != RENDER_JOB:
            return
        how = "killed"
        if ret_val and os.WIFSIGNALED(ret_val):
            how = f"killed by {signal.Signals(os.WTERMSIG(ret_val)).name}"
        running = Still.objects.filter(id__in=job.args[0], status=Still.RUNNING)
        jobs.recover_stills(running, f"{how}, e.g. out of memory")


def preload_networks() -> None:
    """Load every registered network into this process's cache (errors are logged: a
    network that cannot load fails its own jobs with the reason)."""
    for network_id, name in Network.objects.values_list("id", "name"):
        try:
            jobs.network_for(network_id)
        except Exception:
            log.exception("could not preload network %s", name)
    db.connections.close_all()
