"""A copy of every table of the test database, made once and put back for each test that needs the same data.

Made for the demo congress: ``seed_demo`` takes 10 to 15 s (it casts some 1,800 ballots through the voting service),
while putting its rows back takes a fraction of a second. The copy is kept in a file of the test run, so that the
pytest-xdist workers, each with a database of its own, share it.
"""

import fcntl
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction


@dataclass(frozen=True)
class TableCopy:
    label: str  # the model's label ("app.model"): a model class made at run time cannot be pickled by reference
    rows: list[tuple]  # the values of its concrete fields, in their order

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.parents
    ]


def snapshot_take() -> list[TableCopy]:
    """Every row of every model's table, in primary-key order (the order the rows were inserted in)."""
    copies = []
    for model in _models():
        attnames = [field.attname for field in model._meta.concrete_fields]
        copies.append(TableCopy(model._meta.label, list(model._base_manager.order_by("pk").values_list(*attnames))))
    return copies


def snapshot_restore(copies: list[TableCopy]) -> None:
    """Empty every table and put the copied rows back as they were (raw: no ``save()``, signals or ``auto_now``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL refuses to TRUNCATE a table with deferred foreign-key checks pending in the transaction.
        connection.check_constraints()
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False):
            cursor.execute(sql)
        for copy in copies:
            model = copy.model
            fields = list(model._meta.concrete_fields)
            attnames = [field.attname for field in fields]
            objects = [model(**dict(zip(attnames, row, strict=True))) for row in copy.rows]
            batch = max(connection.ops.bulk_batch_size(fields, objects), 1)
            for start in range(0, len(objects), batch):
                model._base_manager._insert(objects[start : start + batch], fields=fields, raw=True)
        # PostgreSQL's sequences would hand out the restored primary keys again; SQLite moves on by itself.
        for sql in connection.ops.sequence_reset_sql(no_style(), [copy.model for copy in copies]):
            cursor.execute(sql)
    # The content types were replaced: their cache may hold other ids.
    ContentType.objects.clear_cache()


def snapshot_restore_or_build(path: Path, build: Callable[[], None]) -> None:
    """Put back the copy kept in ``path``; without one, ``build`` the data and keep a copy of it there.

    A lock next to the file makes the other processes of the run wait for the copy instead of building it too.
    """
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            snapshot_restore(pickle.loads(path.read_bytes()))  # noqa: S301 - written by this test run, just below
            return
        build()
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(snapshot_take()))
        partial.rename(path)
