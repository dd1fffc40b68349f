"""The phone's state document, the hall's hot path: every delegate's phone asks for it every two seconds, 150 requests
a second with a full hall, and while a debate runs nearly every one finds a new version.

So it is read as the ballot page is (DESIGN §6): one statement written once reads the personal link by the
delegates' rule (``PersonalLink.objects.valid_sql``), the participant's facts the document depends on and the hall's
version (``SpeakerFacts``); the answer is a 304 when the phone holds that version. Otherwise the part every phone of
the congress shares (``HallSnapshot``: the item, the speaker, the list) is built once per version and language in
this process and kept, and each phone's own part (its places, what it may ask) is computed from it without a query.
A link that does not open goes to the decorated view, which answers as every portal page does.

The kept snapshots are keyed by the hall's version and the moment it changed, so a snapshot is never served for
another state of the hall, whatever the process saw before; a name or title edited in the admin without an action
in the hall shows with the next action.
"""

import functools
import threading
from collections import OrderedDict

from django.db import connection
from django.utils import timezone, translation

from delegates.models import Attendance, Participant, PersonalLink
from delegates.services.links import LinkProblem, personal_link_digest
from elections.sql import column, named_placeholders, server_bound_cursor, table
from plenary import selectors
from plenary.models import Hall

KEPT_SNAPSHOTS = 32

_kept: OrderedDict[tuple, selectors.HallSnapshot] = OrderedDict()
_lock = threading.Lock()


@functools.cache
def _statement(vendor: str) -> tuple[str, dict]:
    link_valid, constants = named_placeholders(*PersonalLink.objects.valid_sql(at_sql="%(now)s"), prefix="link_rule")
    participant = column(Participant, "id")
    latest = " ".join(  # the names from the models, no values
        (
            f"SELECT {column(Attendance, 'direction')} FROM {table(Attendance)}",  # noqa: S608
            f"WHERE {column(Attendance, 'participant')} = {participant}",
            f"ORDER BY {column(Attendance, 'at')} DESC, {column(Attendance, 'id')} DESC LIMIT 1",
        )
    )
    sql = f"""
SELECT {participant}, {column(Participant, "congress")}, {column(Participant, "status")},
    {column(Participant, "role")}, {column(Participant, "acting_for")}, {column(Participant, "language")},
    ({latest}), {column(Hall, "version")}, {column(Hall, "changed_at")}
FROM {table(PersonalLink)}
JOIN {table(Participant)} ON {participant} = {column(PersonalLink, "participant")}
LEFT JOIN {table(Hall)} ON {column(Hall, "congress")} = {column(Participant, "congress")}
WHERE {column(PersonalLink, "token_hash")} = %(digest)s AND {link_valid}
"""  # noqa: S608 - names from the models; the values are parameters
    return sql, constants


def facts_by_link(token: str) -> selectors.SpeakerFacts | None:
    """The facts of the participant whose link ``token`` is, if it opens now, in one query; None otherwise."""
    try:
        digest = personal_link_digest(token)
    except LinkProblem:
        return None
    sql, constants = _statement(connection.vendor)
    params = {**constants, "digest": digest, "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    cursor = server_bound_cursor() if connection.vendor == "postgresql" else connection.cursor()
    with cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return selectors.SpeakerFacts.of_row(row)


def snapshot_for(facts: selectors.SpeakerFacts) -> selectors.HallSnapshot:
    """The congress's shared part for the facts' version, in the current language: kept, or built and kept."""
    key = (facts.congress_id, facts.version, facts.hall_changed_at, translation.get_language())
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    from agenda.models import Congress

    snapshot = selectors.hall_snapshot(Congress(pk=facts.congress_id))
    with _lock:
        _kept[key] = snapshot
        while len(_kept) > KEPT_SNAPSHOTS:
            _kept.popitem(last=False)
    return snapshot
