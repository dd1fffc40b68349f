"""The evaluation survey after a congress (issue 17).

"Who has answered" (``Respondent``) and "what was answered" (``AnswerSet`` and its ``Answer`` rows) are kept apart as
ballots are (docs/DESIGN.md §11): no column of the answers names a participant, a user or a moment, and their keys
are random (UUID4), so neither a link nor an order pairs an answer with the person who gave it. ``Respondent`` holds
no time either. A half-finished survey (``Draft``) is the participant's own and is deleted in the transaction that
submits it.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agenda.models import Congress, Event
from core.deadlines import deadline_closes_at
from delegates.models import County, Participant

#: The least ``Survey.min_answers_for_free_text`` may be: below it, answers shown would point at the few who gave them.
MIN_ANSWERS_SHOWN = 3


class Survey(models.Model):
    """The evaluation of one congress, answered from the participants' personal pages."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="survey", verbose_name=_("congress")
    )
    title = models.CharField(_("title (Norwegian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction (Norwegian)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    opens_at = models.DateTimeField(
        _("opens at"),
        blank=True,
        help_text=_("Leave empty to open the survey at midnight after the congress's last day."),
    )
    closes_on = models.DateField(_("closing date"), help_text=_("Answers are taken through the end of this day."))
    min_answers_for_free_text = models.PositiveSmallIntegerField(
        _("answers needed before results are shown"),
        default=5,
        validators=[MinValueValidator(MIN_ANSWERS_SHOWN)],
        help_text=_(
            "Staff see the answers, free texts included, only where at least this many people have answered: in the "
            "whole survey and in each county (3 at least)."
        ),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before closing"),
        default=3,
        help_text=_(
            "Those who have not answered get one reminder this many days before the closing date (0: no reminder)."
        ),
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.opens_at is None:
            self.opens_at = deadline_closes_at(self.congress.last_day)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.opens_at is None and self.congress_id:
            self.opens_at = deadline_closes_at(self.congress.last_day)
        if self.opens_at and self.closes_on and deadline_closes_at(self.closes_on) <= self.opens_at:
            raise ValidationError({"closes_on": _("The survey must close after it opens.")})

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title

    def intro_in(self, language: str) -> str:
        return self.intro_en if language == "en" and self.intro_en else self.intro


class Question(models.Model):
    """One question of a survey. With an event it is asked only of those invited to it or checked in at it."""

    class Kind(models.TextChoices):
        SCALE_1_5 = "scale_1_5", _("Scale of 1 to 5")
        SINGLE_CHOICE = "single_choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        FREE_TEXT = "free_text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("question (Norwegian)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
        help_text=_("Asked only of those invited to this event or checked in at it. Empty: asked of everyone."),
    )
    compare_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compare with"),
        help_text=_(
            "The same question in an earlier congress's survey. Empty: the latest earlier survey's question with the "
            "same text and kind, if there is one."
        ),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.event_id and self.survey_id and self.event.congress_id != self.survey.congress_id:
            raise ValidationError({"event": _("The event must belong to the survey's congress.")})
        if self.compare_with_id and self.survey_id:
            earlier = self.compare_with
            this_first_day = self.survey.congress.first_day
            if earlier.survey_id == self.survey_id or earlier.survey.congress.first_day >= this_first_day:
                raise ValidationError({"compare_with": _("Compare with a question of an earlier congress's survey.")})
            if earlier.kind != self.kind:
                raise ValidationError({"compare_with": _("Compare with a question of the same kind.")})

    def text_in(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)


class Choice(models.Model):
    """One of the answers offered by a one-choice or several-choices question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("choice (Norwegian)"), max_length=300)
    text_en = models.CharField(_("choice (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def text_in(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text


class Respondent(models.Model):
    """That a participant has answered a survey, and nothing about what or when. Random key: no order to match."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents", verbose_name=_("survey"))
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("participant")
    )

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        constraints = [models.UniqueConstraint(fields=["survey", "participant"], name="one_answer_per_participant")]

    def __str__(self) -> str:
        return f"{self.participant} ({self.survey})"


class Draft(models.Model):
    """A participant's half-finished answers, kept between visits and deleted when the survey is submitted."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("survey"))
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("participant")
    )
    answers = models.JSONField(_("answers so far"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [models.UniqueConstraint(fields=["survey", "participant"], name="one_draft_per_participant")]

    def __str__(self) -> str:
        return f"{self.participant} ({self.survey})"


class AnswerSet(models.Model):
    """What one person answered, with no person, no time and no order. Random key. The county of the one who answered
    is kept so that a regional office can see its own counties' results (shown only above the survey's minimum number
    of answers, docs/DESIGN.md §12)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answer_sets", verbose_name=_("survey"))
    county = models.ForeignKey(
        County, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("county")
    )

    class Meta:
        verbose_name = _("set of answers")
        verbose_name_plural = _("sets of answers")

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """The answer to one question within a set: a scale value, the choices made, or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    answer_set = models.ForeignKey(
        AnswerSet, on_delete=models.CASCADE, related_name="answers", verbose_name=_("set of answers")
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question"))
    scale = models.PositiveSmallIntegerField(_("value on the scale"), null=True, blank=True)
    choices = models.JSONField(_("choices made"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["answer_set", "question"], name="one_answer_per_question_and_set"),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=1, scale__lte=5), name="answer_scale_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)
