"""committees 0003_deadlines_are_dates: the stored moments become the Oslo day they were last open (issue 14)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("committees", "0002_settings_per_app")]
AFTER = [("committees", "0003_deadlines_are_dates")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_each_stored_moment_into_the_day_it_was_last_open():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        # The other apps as they are now, the committees as they were.
        others = [leaf for leaf in leaves if leaf[0] != "committees"]
        old = MigrationExecutor(connection).loader.project_state(BEFORE + others).apps
        congress = old.get_model("agenda", "Congress").objects.create(
            name="Landstinget 2027",
            year=2027,
            city="Oslo",
            first_day=datetime.date(2027, 2, 1),
            last_day=datetime.date(2027, 2, 3),
            registration_deadline=datetime.date(2027, 1, 17),
        )
        # A date typed into the old field: midnight UTC, shown as "17. januar 2027 01:00".
        old.get_model("committees", "PoliticalDocument").objects.create(
            congress=congress,
            title="Dokumentet",
            amendment_deadline=datetime.datetime(2027, 1, 17, tzinfo=datetime.UTC),
        )
        # Closing at 00:00 Oslo time on 28 January: open through the 27th.
        old.get_model("committees", "StatementSettings").objects.create(
            congress=congress, statement_deadline=datetime.datetime(2027, 1, 27, 23, 0, tzinfo=datetime.UTC)
        )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER + others).apps
        document = new.get_model("committees", "PoliticalDocument").objects.get(congress_id=congress.pk)
        settings = new.get_model("committees", "StatementSettings").objects.get(congress_id=congress.pk)
        assert document.amendment_deadline == datetime.date(2027, 1, 17)
        assert settings.statement_deadline == datetime.date(2027, 1, 27)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
