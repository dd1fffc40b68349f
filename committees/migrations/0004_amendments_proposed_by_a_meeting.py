"""Issue 16: an amendment can be proposed by a meeting (a county meeting whose adopted amendment is forwarded to the
Landsting) instead of a delegate: exactly one of the two proposes it; the forwarded amendment names the one it carries
forward, once."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agenda', '0006_congress_kind'),
        ('committees', '0003_deadlines_are_dates'),
        ('delegates', '0016_participant_elected_by_municipal_council'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='amendment',
            options={'ordering': ['document', 'line_from', 'line_to', 'number'], 'permissions': [('record_outcome', 'Can record the plenary outcome'), ('forward_amendment', "Can forward a county meeting's adopted amendments to the Landsting")], 'verbose_name': 'amendment', 'verbose_name_plural': 'amendments'},
        ),
        migrations.AddField(
            model_name='amendment',
            name='forwarded_from',
            field=models.OneToOneField(blank=True, help_text='The amendment the proposing meeting adopted, which this one carries forward.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='forwarded_as', to='committees.amendment', verbose_name='forwarded from'),
        ),
        migrations.AddField(
            model_name='amendment',
            name='proposed_by_congress',
            field=models.ForeignKey(blank=True, help_text='A county meeting whose adopted amendment was forwarded here as its proposal.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proposed_amendments', to='agenda.congress', verbose_name='proposed by the meeting'),
        ),
        migrations.AddField(
            model_name='historicalamendment',
            name='forwarded_from',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The amendment the proposing meeting adopted, which this one carries forward.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='committees.amendment', verbose_name='forwarded from'),
        ),
        migrations.AddField(
            model_name='historicalamendment',
            name='proposed_by_congress',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='A county meeting whose adopted amendment was forwarded here as its proposal.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agenda.congress', verbose_name='proposed by the meeting'),
        ),
        migrations.AlterField(
            model_name='amendment',
            name='submitter',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='amendments', to='delegates.participant', verbose_name='proposed by'),
        ),
        migrations.AddConstraint(
            model_name='amendment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('proposed_by_congress__isnull', True), ('submitter__isnull', False)), models.Q(('proposed_by_congress__isnull', False), ('submitter__isnull', True)), _connector='OR'), name='amendment_one_proposer', violation_error_message='An amendment is proposed either by a delegate or by a meeting.'),
        ),
        migrations.AddConstraint(
            model_name='amendment',
            constraint=models.CheckConstraint(condition=models.Q(('forwarded_from__isnull', True), ('proposed_by_congress__isnull', False), _connector='OR'), name='amendment_forwarded_by_meeting'),
        ),
    ]
