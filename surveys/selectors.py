"""Reads of the surveys: which questions a participant is asked, which survey is open to them, how many answered."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from agenda.models import Event
from core.deadlines import deadline_date, deadline_is_open
from delegates.models import Attendance, Participant
from delegates.selectors import invited_events
from surveys.models import Question, Respondent, Survey


def _role_invited(participant: Participant) -> str:
    """The role an event's invitation is read for: a deputy holding a seat is invited as a delegate (as for
    registration, ``delegates.selectors.invited_events``)."""
    return Participant.Role.DELEGATE if participant.acting_for_id else participant.role


def events_invited_to(participant: Participant, events: list[Event]) -> set[int]:
    """Of ``events``, those the participant was invited to: the ones needing registration as registration reads the
    invitation (``invited_events``), the others by the roles they invite."""
    needing_registration = set(invited_events(participant).values_list("pk", flat=True))
    role = _role_invited(participant)
    return {
        event.pk
        for event in events
        if (event.pk in needing_registration if event.registration_required else event.invites(role))
    }


def events_checked_in_at(participant: Participant, events: list[Event]) -> set[int]:
    """Of ``events``, those the participant was checked in at: arrived at the desk while the event ran, or arrived
    earlier on the event's day (in Oslo) and had not left by its start. A check-in counts for its own day only: those
    who leave in the evening rarely check out."""
    moves = list(Attendance.objects.filter(participant=participant).order_by("at").values_list("at", "direction"))
    found = set()
    for event in events:
        day = deadline_date(event.starts_at)
        that_morning = [direction for at, direction in moves if deadline_date(at) == day and at <= event.starts_at]
        present_at_start = bool(that_morning) and that_morning[-1] == Attendance.Direction.IN
        arrived_during = any(
            event.starts_at < at < event.ends_at and direction == Attendance.Direction.IN for at, direction in moves
        )
        if present_at_start or arrived_during:
            found.add(event.pk)
    return found


def questions_for(survey: Survey, participant: Participant) -> list[Question]:
    """The questions asked of this participant, in order: the general ones, and those of an event the participant was
    invited to or checked in at. Each question's choices are loaded."""
    questions = list(survey.questions.select_related("event").prefetch_related("choices"))
    events = list({question.event_id: question.event for question in questions if question.event_id}.values())
    asked_events = set()
    if events:
        asked_events = events_invited_to(participant, events) | events_checked_in_at(participant, events)
    return [question for question in questions if question.event_id is None or question.event_id in asked_events]


def survey_is_open(survey: Survey, *, now: datetime.datetime | None = None) -> bool:
    """Whether the survey takes answers now: from its opening moment through its closing date (Oslo's day)."""
    now = now or timezone.now()
    return survey.opens_at <= now and deadline_is_open(survey.closes_on, now)


def has_answered(survey: Survey, participant: Participant) -> bool:
    return Respondent.objects.filter(survey=survey, participant=participant).exists()


def survey_open_for(participant: Participant, *, now: datetime.datetime | None = None) -> Survey | None:
    """The survey of the participant's congress when it is open now and the participant, active, has not answered it."""
    if participant.status != Participant.Status.ACTIVE:
        return None
    survey = Survey.objects.filter(congress_id=participant.congress_id).first()
    if survey is None or not survey_is_open(survey, now=now) or has_answered(survey, participant):
        return None
    return survey


def survey_participants(survey: Survey) -> QuerySet[Participant]:
    """Those the survey is for: the congress's active participants, and any who answered before withdrawing."""
    answered = Respondent.objects.filter(survey=survey).values("participant_id")
    return Participant.objects.filter(
        Q(congress_id=survey.congress_id, status=Participant.Status.ACTIVE) | Q(pk__in=answered)
    )


@dataclass(frozen=True)
class ResponseRate:
    answered: int
    asked: int

    @property
    def rate(self) -> float | None:
        """The share who answered, 0 to 1; None when nobody was asked."""
        return self.answered / self.asked if self.asked else None


def response_rate(survey: Survey) -> ResponseRate:
    """How many of those the survey is for have answered it."""
    answered = Respondent.objects.filter(survey=survey).count()
    return ResponseRate(answered=answered, asked=survey_participants(survey).count())
