"""The cached stills and their life: `StillQuerySet` holds every status change."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from renderer.spec import RenderSpec


class StillQuerySet(models.QuerySet):
    """Every change of a still's status: the one place that writes it.

    Each transition is a conditional update, so it happens once however many web
    processes and workers try it at the same time; each returns how many rows changed.
    Life of a still: new → queued → running → done, or failed / cancelled → (reset) new;
    a fill job that gives way to the live queue hands its running stills back (→ queued).
    """

    def queue(self, job_id: str, queue_name: str) -> int:
        """new or cancelled → queued in the job `job_id` on `queue_name`."""
        return self.filter(status__in=(Still.NEW, Still.CANCELLED)).update(
            status=Still.QUEUED,
            job_id=job_id,
            queue=queue_name,
            queued_at=timezone.now(),
            attempts=F("attempts") + 1,
        )

    def move_to_job(self, old_job_id: str, job_id: str, queue_name: str) -> int:
        """queued in `old_job_id` (lost, or waiting behind a batch) → queued in `job_id`.

        Conditional on the old job id: of many requests that find the same lost job,
        exactly one moves the still (and enqueues the new job)."""
        return self.filter(status=Still.QUEUED, job_id=old_job_id).update(
            job_id=job_id, queue=queue_name, queued_at=timezone.now(), attempts=F("attempts") + 1
        )

    def unqueue(self, job_id: str) -> int:
        """queued in `job_id` → new (the job never reached Redis)."""
        return self.filter(status=Still.QUEUED, job_id=job_id).update(status=Still.NEW, job_id="")

    def release(self, job_id: str, queue_name: str) -> int:
        """running → queued in the new job `job_id`: a render process that gives way to
        the live queue hands back the stills it has not finished."""
        return self.filter(status=Still.RUNNING).update(
            status=Still.QUEUED, job_id=job_id, queue=queue_name, queued_at=timezone.now(),
            progress=0.0, attempts=F("attempts") + 1,
        )  # fmt: skip

    def claim(self) -> int:
        """queued (or new, when rendered in-process) → running: a worker claims it.

        Conditional on the status, so of many workers (on many machines) one claims it."""
        now = timezone.now()
        return self.filter(status__in=(Still.QUEUED, Still.NEW)).update(
            status=Still.RUNNING, started_at=now, heartbeat_at=now, progress=0.0,
            rendered_by=settings.ATLAS_WORKER_NAME[:100],
        )  # fmt: skip

    def beat(self, progress: float | None = None) -> int:
        """A running still is alive (and, with `progress`, this far along)."""
        fields = {"heartbeat_at": timezone.now()}
        if progress is not None:
            fields["progress"] = progress
        return self.filter(status=Still.RUNNING).update(**fields)

    def finish(self, **fields) -> int:
        """→ done, with the image and figures in `fields`."""
        return self.update(
            status=Still.DONE, progress=1.0, error="", error_detail="",
            finished_at=timezone.now(), **fields,
        )  # fmt: skip

    def fail(self, error: str, detail: str = "") -> int:
        """Anything but done → failed: `error` is public, `detail` (a traceback) staff-only."""
        return self.exclude(status=Still.DONE).update(
            status=Still.FAILED,
            error=error[:1000],
            error_detail=detail[:8000],
            finished_at=timezone.now(),
        )

    def reset(self) -> int:
        """failed or cancelled → new: renderable again."""
        return self.filter(status__in=(Still.FAILED, Still.CANCELLED)).update(
            status=Still.NEW, error="", error_detail="", progress=0.0, finished_at=None, deaths=0
        )

    def cancel(self) -> int:
        """new or queued → cancelled (a running still finishes)."""
        return self.filter(status__in=(Still.NEW, Still.QUEUED)).update(
            status=Still.CANCELLED, job_id="", progress=0.0
        )

    def stale(self, seconds: float) -> StillQuerySet:
        """Running stills whose render process has not been heard of for `seconds`."""
        since = timezone.now() - timedelta(seconds=seconds)
        return self.filter(status=Still.RUNNING, heartbeat_at__lt=since)

    def recover(self, reason: str, max_deaths: int) -> tuple[list[int], list[int]]:
        """Running stills whose render process died → new again (to be queued), or failed
        once they have died `max_deaths` times. Returns (renewed ids, failed ids)."""
        renewed, failed = [], []
        for still_id, deaths in self.filter(status=Still.RUNNING).values_list("id", "deaths"):
            row = Still.objects.filter(id=still_id, status=Still.RUNNING)
            if deaths + 1 >= max_deaths:
                message = f"the render process died {deaths + 1} times ({reason})"
                if row.update(deaths=deaths + 1) and row.fail(message):
                    failed.append(still_id)
            elif row.update(status=Still.NEW, job_id="", progress=0.0, deaths=deaths + 1):
                renewed.append(still_id)
        return renewed, failed

    def public(self) -> StillQuerySet:
        """The stills of the atlas itself: default stills (never a visitor's variant)."""
        return self.filter(is_default=True)

    def pending(self) -> StillQuerySet:
        return self.filter(status__in=(Still.NEW, Still.QUEUED, Still.RUNNING))


class Still(models.Model):
    """One cached render of one spec, from queued to done (or failed, then retried).

    Default stills are the atlas; any other spec is a variant, visible only to the
    visitors (sessions) who asked for it and to staff. Status changes go through
    `Still.objects` (`StillQuerySet`).
    """

    NEW, QUEUED, RUNNING, DONE, FAILED = "new", "queued", "running", "done", "failed"
    CANCELLED = "cancelled"  # taken off the queue by a cancelled batch; renders when asked
    STATUSES = [(s, s) for s in (NEW, QUEUED, RUNNING, DONE, FAILED, CANCELLED)]
    ATLAS, VISITOR, STAFF = "atlas", "visitor", "staff"
    ORIGINS = [(s, s) for s in (ATLAS, VISITOR, STAFF)]

    channel = models.ForeignKey("atlas.Channel", on_delete=models.CASCADE, related_name="stills")
    spec = models.JSONField()
    spec_hash = models.CharField(max_length=64, unique=True)
    is_default = models.BooleanField(default=False)
    origin = models.CharField(max_length=10, choices=ORIGINS, default=ATLAS, db_index=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, db_index=True)
    progress = models.FloatField(default=0.0)
    job_id = models.CharField(max_length=100, blank=True)
    queue = models.CharField(max_length=20, blank=True, help_text="the RQ queue of its job")
    attempts = models.PositiveIntegerField(default=0, help_text="times it was queued")
    deaths = models.PositiveIntegerField(default=0, help_text="render processes that died")
    rendered_by = models.CharField(
        max_length=100, blank=True, help_text="the worker (ATLAS_WORKER_NAME) that claimed it"
    )
    image = models.ImageField(upload_to="stills", blank=True)
    video = models.FileField(
        upload_to="stills", blank=True, help_text="a moving image's clip (MP4); image: its poster"
    )
    figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_detail = models.TextField(blank=True, help_text="traceback, for staff")
    created = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="render time per still")
    top_classes = models.JSONField(
        default=list, blank=True, help_text="the network's own top classes for this still"
    )
    puppyslug_index = models.FloatField(
        null=True,
        blank=True,
        db_index=True,
        help_text="share of probability on ImageNet's animal classes (ImageNet networks only)",
    )

    objects = StillQuerySet.as_manager()

    class Meta:
        db_table = "catalog_still"  # kept from before the split into apps
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.channel} [{self.status}]"

    @property
    def is_cached(self) -> bool:
        return self.status == self.DONE and bool(self.image)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.QUEUED, self.RUNNING)

    @property
    def is_public(self) -> bool:
        return self.is_default

    @property
    def image_url(self) -> str | None:
        """Where a browser gets the image: the media URL of an atlas still, a checked
        view for a variant."""
        if not self.is_cached:
            return None
        return self.image.url if self.is_public else reverse("still-image", args=[self.id])

    @property
    def video_url(self) -> str | None:
        """Where a browser gets a moving image's clip (None for a still image)."""
        if not self.is_cached or not self.video:
            return None
        return self.video.url if self.is_public else reverse("still-video", args=[self.id])

    def render_spec(self) -> RenderSpec:
        return RenderSpec(**self.spec)

    @classmethod
    def thumbnails(cls, channels) -> dict[int, Still]:
        """Channel id → its rendered default still (variants are never thumbnails)."""
        stills = (
            cls.objects.public()
            .filter(channel__in=channels, status=cls.DONE)
            .select_related("channel__layer")
        )
        return {still.channel_id: still for still in stills}

    def display_classes(self) -> list[tuple[str, str]]:
        """The top classes as the channel page shows them: ("golden retriever", "23%")."""
        return [(top["label"], f"{top['probability']:.0%}") for top in self.top_classes or []]

    def display_figures(self) -> dict[str, str]:
        """The figures as the channel page shows them ("–" until rendered)."""
        figures, missing = self.figures or {}, "–"
        channels = self.channel.layer.channel_count
        return {
            "objective": f"{figures['objective']:.3f}" if "objective" in figures else missing,
            "rank": f"{figures['rank']} of {channels}" if "rank" in figures else missing,
            "seconds": f"{self.seconds:.1f} s" if self.seconds is not None else missing,
            "puppyslug": f"{index:.2f}" if (index := self.puppyslug_index) is not None else missing,
        }

    def status_dict(self, position: int | None = None) -> dict:
        """What the progress endpoint reports (never a traceback: that is for staff)."""
        return {
            "id": self.id,
            "status": self.status,
            "progress": round(self.progress, 3),
            "position": position,
            "image": self.image_url,
            "video": self.video_url,
            "figures": self.figures,
            "display": self.display_figures(),
            "error": self.error,
            "seconds": self.seconds,
            "classes": self.display_classes(),
        }

    def reset_for_retry(self) -> bool:
        """Make a failed (or cancelled) still renderable again; False if it was neither."""
        updated = Still.objects.filter(id=self.id).reset()
        self.refresh_from_db()
        return bool(updated)

    def mark_failed(self, error: str, detail: str = "") -> None:
        Still.objects.filter(id=self.id).fail(error, detail)
