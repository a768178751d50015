import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, Taxon


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


def taxon(slug, parent=None, **fields) -> dict:
    return {"slug": slug, "name": slug.title(), "parent": parent, "position": 0, **fields}


def refused(tmp_path, contents, match):
    with pytest.raises(CommandError, match=match):
        call_command("import_annotations", write(tmp_path, contents), stdout=StringIO())


HOSTILE = [
    (
        data(taxa=[taxon("ok"), taxon("../../etc/evil x")]),
        r"taxa\[1\] \(slug '\.\./\.\./etc/evil x'\): slug must be a slug",
    ),
    (data(taxa=[taxon("a" * 101)]), r"taxa\[0\] .*slug must be a slug .*at most 100"),
    (data(taxa=[taxon("odd", name=["x"])]), r"taxa\[0\] \(slug 'odd'\): name must be"),
    (data(taxa=[taxon("odd", name="x" * 101)]), r"name must be a non-empty text of at most 100"),
    (data(taxa=[taxon("odd", description=7)]), r"taxa\[0\] \(slug 'odd'\): description"),
    (data(taxa=[taxon("odd", position=-1)]), r"taxa\[0\] \(slug 'odd'\): position must be"),
    (data(taxa=[taxon("odd", position=2**63)]), r"position must be a whole number from 0"),
    (data(taxa=[taxon("odd", position="3")]), r"position must be a whole number"),
    (data(taxa=[taxon("odd", parent="nowhere")]), r"taxa\[0\] .*unknown taxon 'nowhere'"),
    (data(taxa=[taxon("odd"), taxon("odd")]), r"taxa\[1\]: 'odd' appears twice"),
    (
        data(taxa=[taxon("a", "b"), taxon("b", "c"), taxon("c", "a")]),
        r"taxa\[0\] \(slug 'a'\): parent makes a cycle \(a > b > c > a\)",
    ),
    (data(taxa=[taxon("eyes", "eyes")]), r"taxa\[0\] \(slug 'eyes'\): parent makes a cycle"),
    (
        data(taxa=[taxon("t0")] + [taxon(f"t{i}", f"t{i - 1}") for i in range(1, 1200)]),
        r"taxa\[12\] \(slug 't12'\): nested 13 levels deep; at most 12",
    ),
    (data({**row(), "channel": -1}), r"annotations\[0\]: channel must be a whole number"),
    (data({**row(), "channel": 2**40}), r"annotations\[0\]: channel must be a whole number"),
    (data({**row(), "network": None}), r"annotations\[0\]: network must be a non-empty text"),
    (data(row(text=["x"])), r"annotations\[0\] \(efficientnet-lite0/block2:1\): text must"),
    (data(row(tags=["../x"])), r"annotations\[0\] .*tags must be a slug"),
    (data({**row(), "tags": "eyes"}), r"annotations\[0\] .*tags must be a list"),
    (data({**row(), "history": [{"created": "yesterday"}]}), r"history\[0\]: created must"),
    (data({**row(), "history": [7]}), r"history\[0\]: must be an object"),
    (data(row(), row()), r"annotations\[1\]: .*appears twice \(also annotations\[0\]\)"),
    ({**data(), "taxa": {"slug": "x"}}, r"taxa must be a list"),
]


def taxa_here() -> list[tuple]:
    return list(Taxon.objects.values_list("slug", "name", "parent__slug", "position"))


@pytest.mark.parametrize("contents, match", HOSTILE)
def test_hostile_files_are_refused_naming_the_entry_and_change_nothing(
    client, registered, tmp_path, contents, match
):
    before = taxa_here()
    # Valid entries beside the bad one: all or nothing, they are not imported either.
    contents["annotations"] = contents["annotations"] or [row()]
    if isinstance(contents["taxa"], list):
        contents["taxa"] = contents["taxa"] + [taxon("fresh")]
    refused(tmp_path, contents, match)
    assert taxa_here() == before and not Annotation.objects.exists()
    channel = Channel.objects.get(layer__name="block2", index=1)
    for url in (reverse("taxa"), reverse("search") + "?q=eyes", channel.get_absolute_url()):
        assert client.get(url).status_code == 200, url


def test_a_file_may_move_taxa_but_not_put_one_below_its_own_descendant(registered, tmp_path):
    # Here, dog-faces sits below animal-faces: the file cannot make animal-faces its child.
    refused(
        tmp_path,
        data(taxa=[taxon("animal-faces", "dog-faces")]),
        r"taxa\[0\] \(slug 'animal-faces'\): parent makes a cycle",
    )
    assert Taxon.objects.get(slug="animal-faces").parent is None
    moved = write(tmp_path, data(taxa=[taxon("dog-faces", "eyes")]))
    call_command("import_annotations", moved, stdout=StringIO())
    assert Taxon.objects.get(slug="dog-faces").parent.slug == "eyes"


def test_a_file_cannot_push_taxa_here_too_deep(registered, tmp_path):
    chain = [taxon("d0")] + [taxon(f"d{i}", f"d{i - 1}") for i in range(1, 12)]
    call_command("import_annotations", write(tmp_path, data(taxa=chain)), stdout=StringIO())
    assert Taxon.objects.get(slug="d11").ancestors()[0].slug == "d0"
    refused(
        tmp_path,
        data(taxa=[taxon("d0", "eyes")]),
        r"taxon 'd11' \(here, below a taxon of the file\): nested 13 levels deep",
    )
    assert Taxon.objects.get(slug="d0").parent is None


def test_json_nested_too_deeply_is_a_clear_error(registered, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("import_annotations", str(path), stdout=StringIO())


def test_a_cycle_already_here_does_not_block_an_unrelated_import(registered, tmp_path):
    chicken = Taxon.objects.create(name="Chicken", slug="chicken")
    egg = Taxon.objects.create(name="Egg", slug="egg", parent=chicken)
    Taxon.objects.create(name="Yolk", slug="yolk", parent=egg)
    Taxon.objects.filter(id=chicken.id).update(parent=egg)
    path = write(tmp_path, data(row(tags=["ghosts"]), taxa=[taxon("ghosts", "eyes")]))
    call_command("import_annotations", path, stdout=StringIO())
    assert Annotation.objects.get().tags.get().slug == "ghosts"
