"""The atlas app's models, moved from the `catalog` app: state only. Their tables
(`catalog_…`) were made by catalog's migrations and are kept with every row."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0009_still_rendered_by'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Layer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('position', models.PositiveIntegerField()),
                        ('channel_count', models.PositiveIntegerField()),
                        ('kind', models.CharField(default='conv', max_length=20)),
                    ],
                    options={
                        'db_table': 'catalog_layer',
                        'ordering': ['network', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='Network',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True)),
                        ('arch', models.CharField(blank=True, help_text="torchvision architecture, or 'torchscript' (weights: the TorchScript file)", max_length=100)),
                        ('weights', models.CharField(blank=True, help_text='state-dict or checkpoint file', max_length=500)),
                        ('labels_file', models.CharField(blank=True, max_length=500)),
                        ('weight_hash', models.CharField(max_length=64)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('description', models.TextField(blank=True)),
                        ('source', models.CharField(blank=True, help_text='where it comes from', max_length=300)),
                        ('input_size', models.PositiveIntegerField(blank=True, help_text='pixels', null=True)),
                        ('parameter_count', models.PositiveBigIntegerField(blank=True, null=True)),
                        ('accuracy', models.CharField(blank=True, help_text='as published', max_length=300)),
                    ],
                    options={
                        'db_table': 'catalog_network',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Channel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('index', models.PositiveIntegerField()),
                        ('label', models.CharField(blank=True, help_text='class name for logits', max_length=200)),
                        ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='channels', to='atlas.layer')),
                    ],
                    options={
                        'db_table': 'catalog_channel',
                        'ordering': ['layer', 'index'],
                    },
                ),
                migrations.AddField(
                    model_name='layer',
                    name='network',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='layers', to='atlas.network'),
                ),
                migrations.CreateModel(
                    name='Still',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('spec', models.JSONField()),
                        ('spec_hash', models.CharField(max_length=64, unique=True)),
                        ('is_default', models.BooleanField(default=False)),
                        ('origin', models.CharField(choices=[('atlas', 'atlas'), ('visitor', 'visitor'), ('staff', 'staff')], db_index=True, default='atlas', max_length=10)),
                        ('status', models.CharField(choices=[('new', 'new'), ('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed'), ('cancelled', 'cancelled')], db_index=True, default='new', max_length=10)),
                        ('progress', models.FloatField(default=0.0)),
                        ('job_id', models.CharField(blank=True, max_length=100)),
                        ('queue', models.CharField(blank=True, help_text='the RQ queue of its job', max_length=20)),
                        ('attempts', models.PositiveIntegerField(default=0, help_text='times it was queued')),
                        ('deaths', models.PositiveIntegerField(default=0, help_text='render processes that died')),
                        ('rendered_by', models.CharField(blank=True, help_text='the worker (ATLAS_WORKER_NAME) that claimed it', max_length=100)),
                        ('image', models.ImageField(blank=True, upload_to='stills')),
                        ('figures', models.JSONField(blank=True, default=dict)),
                        ('error', models.TextField(blank=True)),
                        ('error_detail', models.TextField(blank=True, help_text='traceback, for staff')),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('queued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('seconds', models.FloatField(blank=True, help_text='render time per still', null=True)),
                        ('top_classes', models.JSONField(blank=True, default=list, help_text="the network's own top classes for this still")),
                        ('puppyslug_index', models.FloatField(blank=True, db_index=True, help_text="share of probability on ImageNet's animal classes (ImageNet networks only)", null=True)),
                        ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stills', to='atlas.channel')),
                    ],
                    options={
                        'db_table': 'catalog_still',
                        'ordering': ['-created'],
                    },
                ),
                migrations.CreateModel(
                    name='BatchRender',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('prepared', models.BooleanField(default=False, help_text='its stills are created and queued')),
                        ('cancelled', models.BooleanField(default=False)),
                        ('error', models.TextField(blank=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ('layers', models.ManyToManyField(related_name='batches', to='atlas.layer')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to='atlas.network')),
                        ('stills', models.ManyToManyField(blank=True, related_name='batches', to='atlas.still')),
                    ],
                    options={
                        'verbose_name': 'batch render',
                        'db_table': 'catalog_batchrender',
                        'ordering': ['-created', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='channel',
                    constraint=models.UniqueConstraint(fields=('layer', 'index'), name='unique_channel_index'),
                ),
                migrations.AddConstraint(
                    model_name='layer',
                    constraint=models.UniqueConstraint(fields=('network', 'name'), name='unique_layer_name'),
                ),
            ],
            database_operations=[],
        ),
    ]
