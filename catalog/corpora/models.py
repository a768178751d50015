"""Corpora: folders of images and videos ingested into frames, and the dataset examples
(the frames that excite each channel most and least) computed over them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from catalog.atlas.models import Channel, Layer

SOURCE_LENGTH = 1000


class Corpus(models.Model):
    """A named folder of images and videos; `add_corpus` turns its files into frames."""

    name = models.SlugField(max_length=100, unique=True)
    folder = models.TextField(help_text="absolute path of the source folder")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "catalog_corpus"  # kept from before the split into apps
        ordering = ["name"]
        verbose_name_plural = "corpora"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("corpus", args=[self.name])

    def frames_matching(self, query: str):
        """Frames whose subtitle contains `query` (case-insensitive); all when it is blank."""
        frames = self.frames.all()
        query = query.strip()
        return frames.filter(subtitle__icontains=query) if query else frames


class SourceFile(models.Model):
    """A file of a corpus that was read (or found unreadable): a re-run skips it unless
    its size or modification time changed."""

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="source_files")
    path = models.CharField(max_length=SOURCE_LENGTH, help_text="relative to the corpus folder")
    size = models.BigIntegerField()
    mtime = models.FloatField()
    frames_added = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="why it could not be read, if it could not")

    class Meta:
        db_table = "catalog_sourcefile"  # kept from before the split into apps
        ordering = ["corpus", "path"]
        constraints = [
            models.UniqueConstraint(fields=["corpus", "path"], name="unique_corpus_source_file"),
        ]

    def __str__(self) -> str:
        return f"{self.corpus.name}: {self.path}"


def frame_upload_to(frame: Frame, filename: str) -> str:
    return f"corpora/{frame.corpus.name}/frames/{filename}"


def thumbnail_upload_to(frame: Frame, filename: str) -> str:
    return f"corpora/{frame.corpus.name}/thumbnails/{filename}"


class Frame(models.Model):
    """One image of a corpus: a still image file, or a frame sampled from a video."""

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="frames")
    source = models.CharField(max_length=SOURCE_LENGTH, help_text="relative to the corpus folder")
    time = models.FloatField(null=True, blank=True, help_text="seconds into a video")
    image = models.ImageField(upload_to=frame_upload_to)
    thumbnail = models.ImageField(upload_to=thumbnail_upload_to)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    phash = models.CharField(max_length=16, db_index=True, help_text="perceptual hash, hex")
    subtitle = models.TextField(blank=True)
    scene_cut = models.BooleanField(default=False, help_text="first frame of a new shot")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "catalog_frame"  # kept from before the split into apps
        ordering = ["corpus", "source", "time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "source", "time"], name="unique_frame_of_video"
            ),
            models.UniqueConstraint(
                fields=["corpus", "source"],
                condition=Q(time__isnull=True),
                name="unique_frame_of_image",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corpus.name}: {self.title}"

    @property
    def title(self) -> str:
        """`clip.mp4 @ 0:12.5` for a video frame, the file name for an image."""
        if self.time is None:
            return self.source
        minutes, seconds = divmod(self.time, 60)
        return f"{self.source} @ {int(minutes)}:{seconds:04.1f}"

    def get_absolute_url(self) -> str:
        return reverse("frame", args=[self.corpus.name, self.id])

    def channels_excited(self) -> list[dict]:
        """What each network sees in this frame, one entry per layer read: the channels
        whose top examples include this frame (best rank first), and the layer's channels
        with the strongest activation here."""
        examples = self.dataset_examples.filter(side=DatasetExample.TOP).select_related(
            "channel__layer__network"
        )
        by_layer: dict[int, dict] = {}
        for scan in self.scans.select_related("layer__network").order_by(
            "layer__network__name", "layer__position"
        ):
            channels = {
                c.index: c
                for c in scan.layer.channels.filter(index__in=[i for i, _ in scan.strongest])
            }
            strongest = [(channels[i], value) for i, value in scan.strongest if i in channels]
            by_layer[scan.layer_id] = {"layer": scan.layer, "strongest": strongest, "examples": []}
        for example in examples.order_by("rank", "-value"):
            entry = by_layer.setdefault(
                example.channel.layer_id,
                {"layer": example.channel.layer, "strongest": [], "examples": []},
            )
            entry["examples"].append(example)
        return list(by_layer.values())


class FrameScan(models.Model):
    """One frame read through one layer: the progress record that makes `dataset_examples`
    resumable, and the layer's most excited channels for the frame page."""

    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="scans")
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="frame_scans")
    strongest = models.JSONField(
        default=list, help_text="[[channel index, spatial maximum], …], strongest first"
    )

    class Meta:
        db_table = "catalog_framescan"  # kept from before the split into apps
        constraints = [
            models.UniqueConstraint(fields=["frame", "layer"], name="unique_frame_scan"),
        ]

    def __str__(self) -> str:
        return f"{self.frame} through {self.layer}"


class DatasetExample(models.Model):
    """A frame among a channel's top-k (or bottom-k) by the channel's spatial maximum
    (minimum), with the box around that position as fractions of the frame."""

    TOP, BOTTOM = "top", "bottom"
    SIDES = [(TOP, "most excited"), (BOTTOM, "most negative")]

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="dataset_examples")
    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="dataset_examples")
    side = models.CharField(max_length=6, choices=SIDES)
    rank = models.PositiveIntegerField(help_text="1 is the strongest")
    value = models.FloatField()
    box_left = models.FloatField()
    box_top = models.FloatField()
    box_width = models.FloatField()
    box_height = models.FloatField()

    class Meta:
        db_table = "catalog_datasetexample"  # kept from before the split into apps
        ordering = ["channel", "side", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "side", "frame"], name="unique_dataset_example"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.side} {self.rank}: {self.frame}"

    @property
    def crop_style(self) -> str:
        """Inline CSS that shows only the box of the frame in a window of the box's shape:
        the frame's image scaled so that the box fills the window."""
        width, height = 100 / self.box_width, 100 / self.box_height
        left, top = self.box_left * width, self.box_top * height
        return f"width:{width:.2f}%;height:{height:.2f}%;left:-{left:.2f}%;top:-{top:.2f}%"

    @property
    def window_style(self) -> str:
        """Inline CSS giving the crop's window the box's shape in the frame's pixels."""
        width = max(1.0, self.box_width * (self.frame.width or 1))
        height = max(1.0, self.box_height * (self.frame.height or 1))
        return f"aspect-ratio:{width:.1f}/{height:.1f}"


def clip_upload_to(example: ClipExample, filename: str) -> str:
    return f"corpora/{example.corpus.name}/clips/{filename}"


class ClipExample(models.Model):
    """A clip of a corpus's video among a temporal channel's top-k (or bottom-k) by the
    channel's maximum (minimum) over the clip's time and space, kept as a short MP4."""

    TOP, BOTTOM = DatasetExample.TOP, DatasetExample.BOTTOM

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="clip_examples")
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="clip_examples")
    source = models.CharField(max_length=SOURCE_LENGTH, help_text="relative to the corpus folder")
    start = models.FloatField(help_text="seconds into the video")
    end = models.FloatField(help_text="seconds into the video (the last frame's time)")
    side = models.CharField(max_length=6, choices=DatasetExample.SIDES)
    rank = models.PositiveIntegerField(help_text="1 is the strongest")
    value = models.FloatField()
    video = models.FileField(upload_to=clip_upload_to)

    class Meta:
        ordering = ["channel", "corpus", "side", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "corpus", "side", "rank"], name="unique_clip_example"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.side} {self.rank}: {self.title}"

    @property
    def title(self) -> str:
        return f"{self.source} {self.start:.2f}–{self.end:.2f} s"
