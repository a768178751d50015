"""The split of `catalog` into apps by concept: the models leave this app's state (their
tables stay, with every row: the apps' first migrations took them over by `db_table`), and
their content types follow them, so that permissions, admin history and group rights
granted before the split stay attached."""

from django.db import migrations

MOVED = {
    "atlas": ["network", "layer", "channel", "still", "batchrender"],
    "curation": ["taxon", "annotation", "annotationrevision"],
    "corpora": ["corpus", "sourcefile", "frame", "framescan", "datasetexample"],
    "cinema": ["film", "tour", "tourstop"],
}
# Those that others point at go last.
DELETED = [
    "DatasetExample",
    "FrameScan",
    "Frame",
    "SourceFile",
    "Corpus",
    "TourStop",
    "Tour",
    "Film",
    "AnnotationRevision",
    "Annotation",
    "Taxon",
    "BatchRender",
    "Still",
    "Channel",
    "Layer",
    "Network",
]


def relabel_content_types(apps, schema_editor, old="catalog", forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        source, target = (old, app_label) if forward else (app_label, old)
        for model in models:
            if ContentType.objects.filter(app_label=target, model=model).exists():
                continue  # made already (a database that ran the new apps' post_migrate)
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_still_rendered_by"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("atlas", "0001_initial"),
        ("curation", "0001_initial"),
        ("corpora", "0001_initial"),
        ("cinema", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name) for name in DELETED],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
