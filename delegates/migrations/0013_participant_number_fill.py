from django.db import migrations
from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

BATCH = 500


def fill(apps, schema_editor):
    """Number every congress's participants 1, 2, … in the order of the printed lists: county number (those without
    a county last), elected by, role, deputy rank, last name, first name. Withdrawn participants are numbered too.
    History rows take their participant's number; rows of participants deleted before numbers existed get 0."""
    Participant = apps.get_model("delegates", "Participant")
    HistoricalParticipant = apps.get_model("delegates", "HistoricalParticipant")
    db = schema_editor.connection.alias
    congress_ids = Participant.objects.using(db).order_by().values_list("congress_id", flat=True).distinct()
    for congress_id in sorted(set(congress_ids)):
        people = list(
            Participant.objects.using(db)
            .filter(congress_id=congress_id)
            .order_by(
                F("county__number").asc(nulls_last=True),
                "elected_by",
                "role",
                F("deputy_rank").asc(nulls_last=True),
                "last_name",
                "first_name",
                "pk",
            )
            .only("pk")
        )
        for number, person in enumerate(people, start=1):
            person.number = number
        Participant.objects.using(db).bulk_update(people, ["number"], batch_size=BATCH)
    number = Participant.objects.using(db).filter(pk=OuterRef("id")).values("number")[:1]
    HistoricalParticipant.objects.using(db).filter(number__isnull=True).update(
        number=Coalesce(Subquery(number), Value(0), output_field=IntegerField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0012_participant_number"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
