from django.db import migrations, models

HELP = (
    "A short number at this congress, printed on the badge, the name card and the participant list and searched at "
    "the check-in desk. Given when the participant is added; kept on withdrawal, never reused."
)


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0013_participant_number_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalparticipant",
            name="number",
            field=models.PositiveIntegerField(editable=False, help_text=HELP, verbose_name="participant number"),
        ),
        migrations.AlterField(
            model_name="participant",
            name="number",
            field=models.PositiveIntegerField(editable=False, help_text=HELP, verbose_name="participant number"),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(
                fields=("congress", "number"),
                name="participant_number_once_per_congress",
                violation_error_message="Another participant of this congress has this number.",
            ),
        ),
    ]
