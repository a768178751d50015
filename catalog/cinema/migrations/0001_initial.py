"""The cinema app's models, moved from the `catalog` app: state only. Their tables
(`catalog_…`) were made by catalog's migrations and are kept with every row."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0009_still_rendered_by'),
        ('atlas', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Film',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('spec', models.JSONField(help_text='film spec: network, size, fps, style, shots (docs/films/)')),
                        ('status', models.CharField(choices=[('new', 'new'), ('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed'), ('cancelled', 'cancelled')], db_index=True, default='new', max_length=10)),
                        ('frames_done', models.PositiveIntegerField(default=0)),
                        ('frames_total', models.PositiveIntegerField(default=0)),
                        ('rendered', models.PositiveIntegerField(default=0, help_text='frames rendered, last render')),
                        ('cached', models.PositiveIntegerField(default=0, help_text='frames from the frame cache')),
                        ('error', models.CharField(blank=True, max_length=300)),
                        ('error_detail', models.TextField(blank=True, help_text='traceback, for staff')),
                        ('output', models.FileField(blank=True, help_text='the MP4', upload_to='films')),
                        ('preview', models.FileField(blank=True, help_text='a poster frame (PNG)', upload_to='films')),
                        ('job_id', models.CharField(blank=True, max_length=100)),
                        ('attempts', models.PositiveIntegerField(default=0, help_text='times it was queued')),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('queued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ('preview_of', models.ForeignKey(blank=True, help_text='a short loop of this channel: its page plays the latest one that is done', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='preview_films', to='atlas.channel')),
                    ],
                    options={
                        'db_table': 'catalog_film',
                        'ordering': ['-created', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Tour',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('slug', models.SlugField(unique=True)),
                        ('description', models.TextField(blank=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'catalog_tour',
                        'ordering': ['title', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='TourStop',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('caption', models.CharField(blank=True, max_length=200)),
                        ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tour_stops', to='atlas.channel')),
                        ('tour', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stops', to='cinema.tour')),
                    ],
                    options={
                        'db_table': 'catalog_tourstop',
                        'ordering': ['tour', 'position', 'id'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
