"""The RQ queues and who waits: the one place that talks to Redis about jobs.

Workers listen to `live`, then `fill`, then `render`, then `default`
(`rqworker live fill render default`), so what a person is watching goes ahead of the
fills of the pages being viewed (`catalog.atlas.fill`), those ahead of batch renders and
films, and those ahead of exports. A worker picks its next job from the first queue that
has one, so between two jobs the live queue always goes first. A Redis error anywhere
here becomes `RenderingUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import django_rq
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

LIVE = "live"  # a still or variant that somebody opened and is watching
FILL = "fill"  # the missing default stills of the pages visitors open (small jobs)
RENDER = "render"  # batch renders, films
DEFAULT = "default"  # exports, batch preparation, everything else
WORKER_QUEUES = (LIVE, FILL, RENDER, DEFAULT)


class RenderingUnavailable(Exception):
    """The job queue (Redis) cannot be reached; cached stills still show."""


@contextmanager
def redis_errors_as_unavailable() -> Iterator[None]:
    """Turn any Redis error inside the block into `RenderingUnavailable`."""
    try:
        yield
    except RedisError as exc:
        raise RenderingUnavailable(f"the render queue is unavailable ({exc})") from exc


def enqueue(queue_name: str, func, *args, job_id: str, **options) -> Job:
    """Put `func(*args)` on a queue under a deterministic job id."""
    with redis_errors_as_unavailable():
        return django_rq.get_queue(queue_name).enqueue(func, *args, job_id=job_id, **options)


def job_exists(job_id: str) -> bool:
    if not job_id:
        return False
    with redis_errors_as_unavailable():
        return Job.exists(job_id, connection=django_rq.get_connection(DEFAULT))


def waiting_or_running(job_id: str) -> bool:
    """Whether the job `job_id` is queued, deferred or started (any queue)."""
    with redis_errors_as_unavailable():
        try:
            job = Job.fetch(job_id, connection=django_rq.get_connection(DEFAULT))
        except NoSuchJobError:
            return False
        return job.get_status() in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED)


def position_in_queue(queue_name: str, job_id: str) -> int | None:
    """1 for the next job a worker takes from `queue_name`, counting the jobs of the
    queues before it; None if the job is not waiting (running, or gone)."""
    if not job_id or queue_name not in WORKER_QUEUES:
        return None
    with redis_errors_as_unavailable():
        own = django_rq.get_queue(queue_name).get_job_position(job_id)
        if own is None:
            return None
        ahead = sum(
            django_rq.get_queue(name).count
            for name in WORKER_QUEUES[: WORKER_QUEUES.index(queue_name)]
        )
    return ahead + own + 1


def waiting(queue_name: str) -> int:
    """How many jobs wait on `queue_name` (not counting the running ones)."""
    with redis_errors_as_unavailable():
        return django_rq.get_queue(queue_name).count
