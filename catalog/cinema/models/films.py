"""Films: a spec of shots over channels that an admin queues and a worker renders to MP4."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone


class FilmQuerySet(models.QuerySet):
    """Every change of a film's status: the one place that writes it.

    As for stills (`StillQuerySet`), each transition is a conditional update that returns
    how many rows changed, so it happens once however many processes try it.
    Life of a film: new → queued → running → done, or failed / cancelled → (reset) new.
    """

    def queue(self, job_id: str) -> int:
        """new or cancelled → queued in the job `job_id`."""
        return self.filter(status__in=(Film.NEW, Film.CANCELLED)).update(
            status=Film.QUEUED,
            job_id=job_id,
            queued_at=timezone.now(),
            attempts=F("attempts") + 1,
            error="",
            error_detail="",
        )

    def unqueue(self, job_id: str) -> int:
        """queued in `job_id` → new (the job never reached Redis)."""
        return self.filter(status=Film.QUEUED, job_id=job_id).update(status=Film.NEW, job_id="")

    def claim(self) -> int:
        """queued (or new, when rendered in-process) → running: a worker claims it."""
        now = timezone.now()
        return self.filter(status__in=(Film.QUEUED, Film.NEW)).update(
            status=Film.RUNNING, started_at=now, heartbeat_at=now, finished_at=None, frames_done=0
        )

    def beat(self, frames_done: int | None = None) -> int:
        """A running film is alive (and, with `frames_done`, this far along); 0 when it is
        no longer running (cancelled): the render then stops."""
        fields = {"heartbeat_at": timezone.now()}
        if frames_done is not None:
            fields["frames_done"] = frames_done
        return self.filter(status=Film.RUNNING).update(**fields)

    def finish(self, **fields) -> int:
        """running → done, with the output, preview and counts in `fields`."""
        return self.filter(status=Film.RUNNING).update(
            status=Film.DONE, error="", error_detail="", finished_at=timezone.now(), **fields
        )

    def fail(self, error: str, detail: str = "") -> int:
        """Anything but done or cancelled → failed: `error` is public (short), `detail`
        (a traceback) staff-only."""
        return self.exclude(status__in=(Film.DONE, Film.CANCELLED)).update(
            status=Film.FAILED,
            error=error[:300],
            error_detail=detail[:8000],
            finished_at=timezone.now(),
        )

    def reset(self) -> int:
        """failed or cancelled → new: renderable again (cached frames are kept)."""
        return self.filter(status__in=(Film.FAILED, Film.CANCELLED)).update(
            status=Film.NEW, job_id="", error="", error_detail="", frames_done=0, finished_at=None
        )

    def cancel(self) -> int:
        """new, queued or running → cancelled (a running render stops at its next frame)."""
        return self.filter(status__in=(Film.NEW, Film.QUEUED, Film.RUNNING)).update(
            status=Film.CANCELLED, job_id="", finished_at=timezone.now()
        )

    def respec(self, frames_total: int) -> int:
        """Its spec was edited: anything but queued or running → new, the old film dropped."""
        return self.exclude(status__in=(Film.QUEUED, Film.RUNNING)).update(
            status=Film.NEW, frames_total=frames_total, frames_done=0, rendered=0, cached=0,
            output="", preview="", error="", error_detail="", job_id="", finished_at=None,
        )  # fmt: skip

    def stale(self, seconds: float) -> FilmQuerySet:
        """Running films whose render process has not been heard of for `seconds`."""
        since = timezone.now() - timedelta(seconds=seconds)
        return self.filter(status=Film.RUNNING, heartbeat_at__lt=since)

    def recover(self, seconds: float) -> int:
        """Stale running films (their render process died) → new, to be queued again."""
        return self.stale(seconds).update(status=Film.NEW, job_id="", frames_done=0)

    def previews_of(self, channels) -> dict[int, Film]:
        """Channel id → the latest done preview film of each of `channels` that has one."""
        done = self.filter(preview_of__in=channels, status=Film.DONE).exclude(output="")
        latest = {}
        for film in done.order_by("finished_at", "id"):
            latest[film.preview_of_id] = film
        return latest


class Film(models.Model):
    """A film spec (JSON, see docs/films/) and its render: progress, the MP4, a poster.

    Status changes go through `Film.objects` (`FilmQuerySet`).
    """

    NEW, QUEUED, RUNNING, DONE, FAILED = "new", "queued", "running", "done", "failed"
    CANCELLED = "cancelled"
    STATUSES = [(s, s) for s in (NEW, QUEUED, RUNNING, DONE, FAILED, CANCELLED)]

    title = models.CharField(max_length=200)
    spec = models.JSONField(help_text="film spec: network, size, fps, style, shots (docs/films/)")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, db_index=True)
    frames_done = models.PositiveIntegerField(default=0)
    frames_total = models.PositiveIntegerField(default=0)
    rendered = models.PositiveIntegerField(default=0, help_text="frames rendered, last render")
    cached = models.PositiveIntegerField(default=0, help_text="frames from the frame cache")
    error = models.CharField(max_length=300, blank=True)
    error_detail = models.TextField(blank=True, help_text="traceback, for staff")
    output = models.FileField(upload_to="films", blank=True, help_text="the MP4")
    preview = models.FileField(upload_to="films", blank=True, help_text="a poster frame (PNG)")
    preview_of = models.ForeignKey(
        "atlas.Channel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preview_films",
        help_text="a short loop of this channel: its page plays the latest one that is done",
    )
    job_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="times it was queued")
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = FilmQuerySet.as_manager()

    class Meta:
        db_table = "catalog_film"  # kept from before the split into apps
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title or f"film {self.id}"

    def get_absolute_url(self) -> str:
        return reverse("film", args=[self.id])

    @property
    def is_done(self) -> bool:
        return self.status == self.DONE and bool(self.output)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.QUEUED, self.RUNNING)

    @property
    def fraction(self) -> float:
        if self.status == self.DONE:
            return 1.0
        return self.frames_done / self.frames_total if self.frames_total else 0.0

    def seconds_left(self) -> float | None:
        """Time left at the pace of the frames done so far (None: no pace yet)."""
        if self.status != self.RUNNING:
            return 0.0 if self.status == self.DONE else None
        if not self.frames_done or self.started_at is None:
            return None
        elapsed = ((self.heartbeat_at or timezone.now()) - self.started_at).total_seconds()
        left = self.frames_total - self.frames_done
        return round(max(0, left) * elapsed / self.frames_done, 1)

    def status_dict(self, position: int | None = None) -> dict:
        """What the progress endpoint reports (never a traceback: that is for staff)."""
        return {
            "id": self.id,
            "status": self.status,
            "frames_done": self.frames_done,
            "frames_total": self.frames_total,
            "fraction": round(self.fraction, 4),
            "seconds_left": self.seconds_left(),
            "position": position,
            "rendered": self.rendered,
            "cached": self.cached,
            "error": self.error,
            "video": self.output.url if self.is_done else None,
            "poster": self.preview.url if self.is_done and self.preview else None,
        }
