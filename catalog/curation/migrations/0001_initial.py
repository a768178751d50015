"""The curation app's models, moved from the `catalog` app: state only. Their tables
(`catalog_…`) were made by catalog's migrations and are kept with every row."""


import django.db.models.deletion
import django.utils.timezone
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
                    name='Annotation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(blank=True)),
                        ('featured', models.BooleanField(default=False, help_text='shown on the home page')),
                        ('channel', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='annotation', to='atlas.channel')),
                    ],
                    options={
                        'db_table': 'catalog_annotation',
                    },
                ),
                migrations.CreateModel(
                    name='AnnotationRevision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(blank=True)),
                        ('tags', models.JSONField(blank=True, default=list, help_text='taxon slugs')),
                        ('author_name', models.CharField(blank=True, max_length=150)),
                        ('created', models.DateTimeField(default=django.utils.timezone.now)),
                        ('annotation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='curation.annotation')),
                        ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'catalog_annotationrevision',
                        'ordering': ['-created', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Taxon',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('slug', models.SlugField(max_length=100, unique=True)),
                        ('description', models.TextField(blank=True, help_text='Markdown')),
                        ('position', models.PositiveIntegerField(default=0, help_text='order among its siblings')),
                        ('featured', models.BooleanField(default=False, help_text='shown on the home page')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='curation.taxon')),
                    ],
                    options={
                        'verbose_name_plural': 'taxa',
                        'db_table': 'catalog_taxon',
                        'ordering': ['position', 'name'],
                    },
                ),
                migrations.AddField(
                    model_name='annotation',
                    name='tags',
                    field=models.ManyToManyField(blank=True, related_name='annotations', to='curation.taxon'),
                ),
            ],
            database_operations=[],
        ),
    ]
