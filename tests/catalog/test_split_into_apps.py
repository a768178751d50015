"""A database made before the split of `catalog` into apps keeps every row and file.

The test takes the database back to catalog's last migration before the split (the schema
and content types exactly as today's migrations left them), fills it through the historical
models of that state, migrates forward and reads everything back through the apps' models
and pages."""

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

BEFORE_SPLIT = [("catalog", "0009_still_rendered_by")] + [
    (app, None) for app in ("cinema", "corpora", "curation", "atlas")
]


def _png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    graph = executor.loader.graph
    nodes = [node for node in targets if node[1]] + graph.leaf_nodes("auth")
    return executor.loader.project_state(nodes + graph.leaf_nodes("contenttypes")).apps


def _fill(old) -> dict:
    """Rows of every concept, written as the database before the split held them."""
    network = old.get_model("catalog", "Network").objects.create(
        name="tiny-net", arch="", weight_hash="abc123"
    )
    layer = old.get_model("catalog", "Layer").objects.create(
        network=network, name="block0", position=0, channel_count=2
    )
    channel = old.get_model("catalog", "Channel").objects.create(layer=layer, index=1)
    image = default_storage.save("stills/before-split.png", ContentFile(_png("red")))
    still = old.get_model("catalog", "Still").objects.create(
        channel=channel,
        spec={"network": "tiny-net", "layer": "block0", "channel": 1},
        spec_hash="before-split",
        is_default=True,
        status="done",
        image=image,
        figures={"objective": 1.5, "rank": 1},
    )
    taxon = old.get_model("catalog", "Taxon").objects.create(name="Kept taxon", slug="kept-taxon")
    annotation = old.get_model("catalog", "Annotation").objects.create(
        channel=channel, text="second words", featured=True
    )
    annotation.tags.add(taxon)
    revisions = old.get_model("catalog", "AnnotationRevision").objects
    revisions.create(annotation=annotation, text="first words", author_name="ada")
    revisions.create(annotation=annotation, text="second words", author_name="ada")
    batch = old.get_model("catalog", "BatchRender").objects.create(network=network)
    batch.layers.add(layer)
    batch.stills.add(still)
    corpus = old.get_model("catalog", "Corpus").objects.create(name="films", folder="/films")
    old.get_model("catalog", "SourceFile").objects.create(
        corpus=corpus, path="a.png", size=10, mtime=1.0
    )
    frame_image = default_storage.save("corpora/films/frames/a.png", ContentFile(_png("blue")))
    frame = old.get_model("catalog", "Frame").objects.create(
        corpus=corpus, source="a.png", image=frame_image, thumbnail=frame_image, phash="00ff"
    )
    old.get_model("catalog", "FrameScan").objects.create(
        frame=frame, layer=layer, strongest=[[1, 3.0]]
    )
    old.get_model("catalog", "DatasetExample").objects.create(
        channel=channel,
        frame=frame,
        side="top",
        rank=1,
        value=3.0,
        box_left=0,
        box_top=0,
        box_width=1,
        box_height=1,
    )
    film = old.get_model("catalog", "Film").objects.create(
        title="A zoom", spec={"network": "tiny-net", "shots": []}
    )
    tour = old.get_model("catalog", "Tour").objects.create(title="Faces", slug="faces")
    old.get_model("catalog", "TourStop").objects.create(
        tour=tour, position=1, channel=channel, caption="a dog"
    )
    # A right granted by hand before the split, on the old content type.
    old_type = old.get_model("contenttypes", "ContentType").objects.get(
        app_label="catalog", model="annotation"
    )
    editor = old.get_model("auth", "User").objects.create(username="editor")
    right = old.get_model("auth", "Permission").objects.get(
        content_type=old_type, codename="change_annotation"
    )
    editor.user_permissions.add(right)
    return {"still": still.id, "film": film.id, "frame": frame.id, "image": image}


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_keeps_every_row_file_and_page(client):
    old = _migrate(BEFORE_SPLIT)
    assert old.get_model("contenttypes", "ContentType").objects.filter(app_label="catalog")
    made = _fill(old)
    counts = {
        model._meta.model_name: model.objects.count()
        for model in old.get_app_config("catalog").get_models()
    }

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    from django.apps import apps

    from catalog.atlas.models import BatchRender, Channel, Still
    from catalog.cinema.models import Film, Tour
    from catalog.corpora.models import DatasetExample, Frame
    from catalog.curation.models import Annotation

    moved = {
        model._meta.model_name: model.objects.count()
        for app in ("atlas", "curation", "corpora", "cinema")
        for model in apps.get_app_config(app).get_models()
    }
    assert {name: moved.get(name) for name in counts} == counts
    added_since = set(moved) - set(counts)  # models newer than the split (ClipExample, …)
    assert not any(moved[name] for name in added_since), added_since
    assert all(counts.values()), counts  # every table had a row to keep

    still = Still.objects.get(id=made["still"])
    assert still.image.name == made["image"] and still.figures["rank"] == 1
    annotation = Annotation.objects.get(channel=still.channel)
    assert [r.text for r in annotation.revisions.order_by("id")] == ["first words", "second words"]
    assert [t.slug for t in annotation.tags.all()] == ["kept-taxon"]
    assert BatchRender.objects.get().stills.get() == still
    assert DatasetExample.objects.get().frame_id == made["frame"]
    assert Tour.objects.get().stops.get().channel == Channel.objects.get()
    assert not ContentType.objects.filter(app_label="catalog").exists()
    editor = User.objects.get(username="editor")
    assert editor.has_perm("curation.change_annotation")
    assert Permission.objects.filter(content_type__app_label="curation").exists()

    image = client.get(f"/stills/{still.id}/image.png")
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == _png("red")
    assert client.get("/n/tiny-net/").status_code == 200
    tagged = client.get("/taxa/kept-taxon/").content.decode()
    assert "1 channel tagged" in tagged and "/n/tiny-net/block0/1/" in tagged
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    film = client.get(Film.objects.get(id=made["film"]).get_absolute_url())
    assert film.status_code == 200 and "A zoom" in film.content.decode()
    history = client.get("/n/tiny-net/block0/1/history/").content.decode()
    assert "first words" in history and "second words" in history
    assert client.get("/tours/faces/").status_code == 200
    frame = Frame.objects.get(id=made["frame"])
    assert client.get(frame.get_absolute_url()).status_code == 200
    assert default_storage.open(frame.image.name).read() == _png("blue")
