"""A copy of every table of the test database, taken once and put back for each test that needs the same data.

Made for the demo congress: ``seed_demo`` takes 10 to 15 s (it casts some 1,800 ballots through the voting service),
while putting its rows back takes a fraction of a second. The copy lives in the memory of one pytest process, so
with pytest-xdist each worker, which has a database of its own, takes its own.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction


@dataclass(frozen=True)
class TableCopy:
    model: type[models.Model]
    attnames: list[str]
    rows: list[tuple]


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
        rows = list(model._base_manager.order_by("pk").values_list(*attnames))
        copies.append(TableCopy(model, attnames, rows))
    return copies


def snapshot_restore(copies: list[TableCopy]) -> None:
    """Empty every table and put the copied rows back, as they were (raw: no ``save()``, signals or ``auto_now``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False):
            cursor.execute(sql)
        for copy in copies:
            fields = list(copy.model._meta.concrete_fields)
            objects = [copy.model(**dict(zip(copy.attnames, row, strict=True))) for row in copy.rows]
            batch = max(connection.ops.bulk_batch_size(fields, objects), 1)
            for start in range(0, len(objects), batch):
                copy.model._base_manager._insert(objects[start : start + batch], fields=fields, raw=True)
        # PostgreSQL's sequences would hand out the restored primary keys again; SQLite moves on by itself.
        for sql in connection.ops.sequence_reset_sql(no_style(), [copy.model for copy in copies]):
            cursor.execute(sql)
    # The content types were replaced: their cache may hold other ids.
    ContentType.objects.clear_cache()
