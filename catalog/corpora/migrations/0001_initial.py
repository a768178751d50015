"""The corpora app's models, moved from the `catalog` app: state only. Their tables
(`catalog_…`) were made by catalog's migrations and are kept with every row."""


import django.db.models.deletion
from django.db import migrations, models

import catalog.corpora.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0009_still_rendered_by'),
        ('atlas', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Corpus',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.SlugField(max_length=100, unique=True)),
                        ('folder', models.TextField(help_text='absolute path of the source folder')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name_plural': 'corpora',
                        'db_table': 'catalog_corpus',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Frame',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(help_text='relative to the corpus folder', max_length=1000)),
                        ('time', models.FloatField(blank=True, help_text='seconds into a video', null=True)),
                        ('image', models.ImageField(upload_to=catalog.corpora.models.frame_upload_to)),
                        ('thumbnail', models.ImageField(upload_to=catalog.corpora.models.thumbnail_upload_to)),
                        ('width', models.PositiveIntegerField(default=0)),
                        ('height', models.PositiveIntegerField(default=0)),
                        ('phash', models.CharField(db_index=True, help_text='perceptual hash, hex', max_length=16)),
                        ('subtitle', models.TextField(blank=True)),
                        ('scene_cut', models.BooleanField(default=False, help_text='first frame of a new shot')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('corpus', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='frames', to='corpora.corpus')),
                    ],
                    options={
                        'db_table': 'catalog_frame',
                        'ordering': ['corpus', 'source', 'time', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='DatasetExample',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(choices=[('top', 'most excited'), ('bottom', 'most negative')], max_length=6)),
                        ('rank', models.PositiveIntegerField(help_text='1 is the strongest')),
                        ('value', models.FloatField()),
                        ('box_left', models.FloatField()),
                        ('box_top', models.FloatField()),
                        ('box_width', models.FloatField()),
                        ('box_height', models.FloatField()),
                        ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dataset_examples', to='atlas.channel')),
                        ('frame', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dataset_examples', to='corpora.frame')),
                    ],
                    options={
                        'db_table': 'catalog_datasetexample',
                        'ordering': ['channel', 'side', 'rank'],
                    },
                ),
                migrations.CreateModel(
                    name='FrameScan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('strongest', models.JSONField(default=list, help_text='[[channel index, spatial maximum], …], strongest first')),
                        ('frame', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scans', to='corpora.frame')),
                        ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='frame_scans', to='atlas.layer')),
                    ],
                    options={
                        'db_table': 'catalog_framescan',
                    },
                ),
                migrations.CreateModel(
                    name='SourceFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('path', models.CharField(help_text='relative to the corpus folder', max_length=1000)),
                        ('size', models.BigIntegerField()),
                        ('mtime', models.FloatField()),
                        ('frames_added', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True, help_text='why it could not be read, if it could not')),
                        ('corpus', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='source_files', to='corpora.corpus')),
                    ],
                    options={
                        'db_table': 'catalog_sourcefile',
                        'ordering': ['corpus', 'path'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='frame',
                    constraint=models.UniqueConstraint(fields=('corpus', 'source', 'time'), name='unique_frame_of_video'),
                ),
                migrations.AddConstraint(
                    model_name='frame',
                    constraint=models.UniqueConstraint(condition=models.Q(('time__isnull', True)), fields=('corpus', 'source'), name='unique_frame_of_image'),
                ),
                migrations.AddConstraint(
                    model_name='datasetexample',
                    constraint=models.UniqueConstraint(fields=('channel', 'side', 'frame'), name='unique_dataset_example'),
                ),
                migrations.AddConstraint(
                    model_name='framescan',
                    constraint=models.UniqueConstraint(fields=('frame', 'layer'), name='unique_frame_scan'),
                ),
                migrations.AddConstraint(
                    model_name='sourcefile',
                    constraint=models.UniqueConstraint(fields=('corpus', 'path'), name='unique_corpus_source_file'),
                ),
            ],
            database_operations=[],
        ),
    ]
