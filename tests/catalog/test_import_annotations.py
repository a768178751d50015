import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Annotation, Channel, Taxon


def write(tmp_path, data) -> str:
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(data))
    return str(path)


def row(layer="block2", channel=1, text="note", tags=("eyes",), network="efficientnet-lite0"):
    history = [
        {"created": "2024-05-01T10:00:00+00:00", "author": "ann", "text": text, "tags": list(tags)}
    ]
    return {
        "network": network,
        "layer": layer,
        "channel": channel,
        "text": text,
        "tags": list(tags),
        "history": history,
    }


def data(*rows, taxa=()) -> dict:
    return {
        "format": "neural-atlas-annotations",
        "version": 1,
        "taxa": list(taxa),
        "annotations": list(rows),
    }


def test_importing_replaces_the_annotation_of_the_same_channel(registered, curator, tmp_path):
    channel = Channel.objects.get(layer__name="block2", index=1)
    Annotation.revise(channel, curator, "old", [])
    call_command("import_annotations", write(tmp_path, data(row())), stdout=StringIO())
    annotation = Annotation.objects.get()
    assert annotation.text == "note" and [t.slug for t in annotation.tags.all()] == ["eyes"]
    assert [r.author_name for r in annotation.revisions.all()] == ["ann"]


def test_importing_twice_changes_nothing(registered, tmp_path):
    path = write(tmp_path, data(row(), row(channel=2)))
    for _ in range(2):
        call_command("import_annotations", path, stdout=StringIO())
    assert Annotation.objects.count() == 2
    assert sum(a.revisions.count() for a in Annotation.objects.all()) == 2


def test_a_channel_not_in_this_atlas_stops_the_import_unless_skipped(registered, tmp_path):
    path = write(tmp_path, data(row(), row(network="places-resnet", layer="layer4", channel=3)))
    with pytest.raises(CommandError, match="places-resnet/layer4:3"):
        call_command("import_annotations", path, stdout=StringIO())
    assert not Annotation.objects.exists()
    out = StringIO()
    call_command("import_annotations", path, "--skip-missing", stdout=out)
    assert "skipped 1" in out.getvalue() and Annotation.objects.count() == 1


def test_an_unknown_tag_or_a_foreign_file_is_a_clear_error(registered, tmp_path):
    with pytest.raises(CommandError, match="unknown taxon 'ghosts'"):
        call_command(
            "import_annotations", write(tmp_path, data(row(tags=["ghosts"]))), stdout=StringIO()
        )
    with pytest.raises(CommandError, match="not a neural-atlas-annotations file"):
        call_command("import_annotations", write(tmp_path, {"hello": 1}), stdout=StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_annotations", str(tmp_path / "nope.json"), stdout=StringIO())
    assert not Annotation.objects.exists()


def test_new_taxa_in_the_file_join_the_tree(registered, tmp_path):
    taxa = [
        {
            "slug": "ghosts",
            "name": "Ghosts",
            "parent": "animal-faces",
            "description": "",
            "position": 9,
        }
    ]
    path = write(tmp_path, data(row(tags=["ghosts"]), taxa=taxa))
    call_command("import_annotations", path, stdout=StringIO())
    assert Taxon.objects.get(slug="ghosts").parent.slug == "animal-faces"
    assert Annotation.objects.get().tags.get().name == "Ghosts"
