from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_tours"),
    ]

    operations = [
        migrations.AddField(
            model_name="network",
            name="description",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="network",
            name="source",
            field=models.CharField(blank=True, help_text="where it comes from", max_length=300),
        ),
        migrations.AddField(
            model_name="network",
            name="input_size",
            field=models.PositiveIntegerField(blank=True, help_text="pixels", null=True),
        ),
        migrations.AddField(
            model_name="network",
            name="parameter_count",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="network",
            name="accuracy",
            field=models.CharField(blank=True, help_text="as published", max_length=300),
        ),
        migrations.AlterField(
            model_name="network",
            name="arch",
            field=models.CharField(
                blank=True,
                help_text="torchvision architecture, or 'torchscript' (weights: the TorchScript file)",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="network",
            name="weights",
            field=models.CharField(
                blank=True, help_text="state-dict or checkpoint file", max_length=500
            ),
        ),
    ]
