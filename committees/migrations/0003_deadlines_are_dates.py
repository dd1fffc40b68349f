"""Issue 14: a deadline is a date, open through the end of that day in Oslo time (core.deadlines).

The amendment and statement deadlines were moments; a date typed for them was stored as midnight UTC and shown as
"17. januar 2027 01:00". Each stored moment becomes the Oslo day of its last open instant
(core.deadlines.deadline_from_moment), so no deadline is shortened. Also names the two "… by" fields of a proposal
for the admin.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.deadlines import deadline_date, deadline_from_moment


def moments_to_dates(apps, schema_editor):
    for model, field in (("PoliticalDocument", "amendment_deadline"), ("StatementSettings", "statement_deadline")):
        Model = apps.get_model("committees", model)
        for row in Model.objects.exclude(**{f"{field}__isnull": True}):
            setattr(row, f"{field}_date", deadline_from_moment(getattr(row, field)))
            row.save(update_fields=[f"{field}_date"])


def dates_to_moments(apps, schema_editor):
    # Back to the moment the deadline closes on its own terms: the last open instant of the day, Oslo time.
    import datetime

    from core.deadlines import deadline_last_moment

    for model, field in (("PoliticalDocument", "amendment_deadline"), ("StatementSettings", "statement_deadline")):
        Model = apps.get_model("committees", model)
        for row in Model.objects.exclude(**{f"{field}_date__isnull": True}):
            moment = deadline_last_moment(deadline_date(getattr(row, f"{field}_date")))
            setattr(row, field, moment.astimezone(datetime.UTC))
            row.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0002_settings_per_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="politicaldocument",
            name="amendment_deadline_date",
            field=models.DateField(null=True, blank=True),
        ),
        migrations.AddField(
            model_name="statementsettings",
            name="statement_deadline_date",
            field=models.DateField(null=True, blank=True),
        ),
        migrations.RunPython(moments_to_dates, dates_to_moments),
        migrations.RemoveField(model_name="politicaldocument", name="amendment_deadline"),
        migrations.RemoveField(model_name="statementsettings", name="statement_deadline"),
        migrations.RenameField(
            model_name="politicaldocument", old_name="amendment_deadline_date", new_name="amendment_deadline"
        ),
        migrations.RenameField(
            model_name="statementsettings", old_name="statement_deadline_date", new_name="statement_deadline"
        ),
        migrations.AlterField(
            model_name="politicaldocument",
            name="amendment_deadline",
            field=models.DateField(
                blank=True,
                help_text=(
                    "Delegates can propose amendments on their personal page until the end of this day "
                    "(Norwegian time). Empty: not open."
                ),
                null=True,
                verbose_name="deadline for amendments",
            ),
        ),
        migrations.AlterField(
            model_name="statementsettings",
            name="statement_deadline",
            field=models.DateField(
                blank=True,
                help_text=(
                    "Delegates can propose statements on their personal page until the end of this day "
                    "(Norwegian time). Empty: not open."
                ),
                null=True,
                verbose_name="deadline for statements",
            ),
        ),
        migrations.AlterField(
            model_name="amendment",
            name="recommended_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recommended by",
            ),
        ),
        migrations.AlterField(
            model_name="amendment",
            name="outcome_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="outcome recorded by",
            ),
        ),
        migrations.AlterField(
            model_name="statement",
            name="recommended_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recommended by",
            ),
        ),
        migrations.AlterField(
            model_name="statement",
            name="outcome_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="outcome recorded by",
            ),
        ),
        migrations.AlterField(
            model_name="historicalamendment",
            name="recommended_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recommended by",
            ),
        ),
        migrations.AlterField(
            model_name="historicalamendment",
            name="outcome_recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="outcome recorded by",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstatement",
            name="recommended_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recommended by",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstatement",
            name="outcome_recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="outcome recorded by",
            ),
        ),
    ]
