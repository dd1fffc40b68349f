"""Where a participant stands with their congress's survey, for the portal's pages, menu and home page.

Reads only, through ``surveys.selectors`` (which survey is open, who has answered): the rules stay there. The state is
kept on the participant for the rest of the request, so the menu, the home page's notice and the survey's own page
ask the database once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from delegates.models import Participant
from surveys.models import Survey
from surveys.selectors import has_answered, survey_is_open

NONE = "none"
ANSWERED = "answered"
WITHDRAWN = "withdrawn"
NOT_OPEN = "not_open"
CLOSED = "closed"
OPEN = "open"

_KEPT = "_portal_survey"


@dataclass
class PortalSurvey:
    participant: Participant
    survey: Survey | None
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def opened(self) -> bool:
        """Whether the survey has opened (it may have closed since): the portal's menu shows it from then on."""
        return self.survey is not None and self.survey.opens_at <= self.now

    @property
    def is_open(self) -> bool:
        return self.survey is not None and survey_is_open(self.survey, now=self.now)

    @cached_property
    def answered(self) -> bool:
        return self.survey is not None and has_answered(self.survey, self.participant)

    @cached_property
    def state(self) -> str:
        """One of NONE, ANSWERED, WITHDRAWN, NOT_OPEN, CLOSED and OPEN (open to this participant, not answered)."""
        if self.survey is None:
            return NONE
        if self.answered:
            return ANSWERED
        if self.participant.status != Participant.Status.ACTIVE:
            return WITHDRAWN
        if self.now < self.survey.opens_at:
            return NOT_OPEN
        if not self.is_open:
            return CLOSED
        return OPEN


def portal_survey(participant: object) -> PortalSurvey | None:
    """The participant's survey state, read once per request (kept on the participant object). None without a
    participant, and for the stand-in of the shared ballot page (``elections.portal.ballot_page``), which holds nothing
    of the voter: its menu has no survey item (a vote is held during the congress, before the survey opens)."""
    if not isinstance(participant, Participant):
        return None
    kept = participant.__dict__.get(_KEPT)
    if kept is None:
        kept = PortalSurvey(
            participant=participant, survey=Survey.objects.filter(congress_id=participant.congress_id).first()
        )
        participant.__dict__[_KEPT] = kept
    return kept


def portal_survey_forget(participant: Participant) -> None:
    """Read the state again next time (after a submission within the same request)."""
    participant.__dict__.pop(_KEPT, None)
