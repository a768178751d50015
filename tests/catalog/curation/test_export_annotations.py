import json
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command

from catalog.atlas.models import Channel
from catalog.curation.models import Annotation, AnnotationRevision, Taxon


def export() -> dict:
    out = StringIO()
    call_command("export_annotations", stdout=out)
    return json.loads(out.getvalue())


def annotated_atlas(curator):
    """Three annotated channels, one with three edits, under a taxonomy with a new taxon."""
    alien = Taxon.objects.create(
        name="Alien faces", slug="alien-faces", parent=Taxon.objects.get(slug="animal-faces")
    )
    first, second, third = Channel.objects.filter(layer__name="block4")[:3]
    Annotation.revise(first, curator, "Dogs, *mostly*.", Taxon.objects.filter(slug="dog-faces"))
    Annotation.revise(
        first, curator, "Dogs and birds.", Taxon.objects.filter(slug__endswith="faces")
    )
    someone = User.objects.create_user("sam", password="pw")
    Annotation.revise(first, someone, "Dogs, birds and 🐍.", [alien])
    Annotation.revise(
        second, someone, "Windows.\n\n- one\n- two", Taxon.objects.filter(slug="windows")
    )
    Annotation.revise(third, curator, "", Taxon.objects.filter(slug="stripes"))


def test_export_wipe_import_gives_back_the_same_annotations(registered, curator, tmp_path):
    annotated_atlas(curator)
    before = export()
    assert len(before["annotations"]) == 3
    assert [len(row["history"]) for row in before["annotations"]] == [3, 1, 1]
    path = tmp_path / "annotations.json"
    call_command("export_annotations", "--output", str(path), stderr=StringIO())
    assert json.loads(path.read_text()) == before

    Annotation.objects.all().delete()
    Taxon.objects.all().delete()
    assert not AnnotationRevision.objects.exists()
    out = StringIO()
    call_command("import_annotations", str(path), stdout=out)
    assert "3 annotation(s) with 5 revision(s)" in out.getvalue()

    assert export() == before
    revision = AnnotationRevision.objects.filter(author_name="sam").first()
    assert revision.author == User.objects.get(username="sam")
    assert Taxon.objects.get(slug="alien-faces").parent.slug == "animal-faces"


def test_authors_unknown_here_keep_their_names(registered, curator, tmp_path):
    annotated_atlas(curator)
    before = export()
    User.objects.filter(username="sam").delete()
    Annotation.objects.all().delete()
    path = tmp_path / "a.json"
    path.write_text(json.dumps(before))
    call_command("import_annotations", str(path), stdout=StringIO())
    assert export() == before
    assert AnnotationRevision.objects.filter(author_name="sam", author=None).count() == 2


def test_an_atlas_without_annotations_exports_its_taxonomy(registered):
    data = export()
    assert data["format"] == "neural-atlas-annotations" and data["annotations"] == []
    slugs = [taxon["slug"] for taxon in data["taxa"]]
    assert {"dog-faces", "eyes", "fur-and-feathers", "snouts", "architecture", "textures"} <= set(
        slugs
    )
    parents = {taxon["slug"]: taxon["parent"] for taxon in data["taxa"]}
    for slug, parent in parents.items():
        assert parent is None or slugs.index(parent) < slugs.index(slug)
