"""The participant number (issue 15): added empty, filled per congress in the printed order, then required.

Three migrations, so that on PostgreSQL the rows are updated and the column altered in separate transactions."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0011_generated_document_counties"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalparticipant",
            name="number",
            field=models.PositiveIntegerField(null=True, editable=False, verbose_name="participant number"),
        ),
        migrations.AddField(
            model_name="participant",
            name="number",
            field=models.PositiveIntegerField(null=True, editable=False, verbose_name="participant number"),
        ),
    ]
