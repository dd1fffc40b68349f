from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0010_participant_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="generateddocument",
            name="counties",
            field=models.ManyToManyField(
                blank=True,
                help_text="The counties whose participants the document contains; none: the whole congress.",
                related_name="+",
                to="delegates.county",
                verbose_name="counties",
            ),
        ),
    ]
