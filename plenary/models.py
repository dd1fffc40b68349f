import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agenda.models import AgendaItem, Congress
from delegates.models import Participant
from plenary import queue


def new_screen_key() -> str:
    return secrets.token_urlsafe(32)


def _seconds_field(verbose_name, default: int, help_text=""):
    return models.PositiveIntegerField(
        verbose_name, default=default, validators=[MinValueValidator(10), MaxValueValidator(3600)], help_text=help_text
    )


class Procedure(models.Model):
    """The rules of procedure (forretningsorden) of a congress's plenary; a congress without a row uses the defaults."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, primary_key=True, related_name="procedure", verbose_name=_("congress")
    )
    first_speech_seconds = _seconds_field(_("first speech (seconds)"), 300)
    second_speech_seconds = _seconds_field(
        _("second and later speech (seconds)"), 180, _("A speaker's further speeches on the same item.")
    )
    reply_seconds = _seconds_field(_("reply (seconds)"), 60)
    answer_seconds = _seconds_field(_("answer to the replies (seconds)"), 60)
    point_of_order_seconds = _seconds_field(_("point of order (seconds)"), 60)
    replies_per_speech = models.PositiveSmallIntegerField(
        _("replies per speech"), default=2, validators=[MaxValueValidator(20)]
    )
    speeches_per_person = models.PositiveSmallIntegerField(
        _("speeches per person and item"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    replies_after_close = models.BooleanField(
        _("replies accepted after the list is closed"),
        default=True,
        help_text=_("Replies to speeches already on the list, once the chair has closed the list."),
    )

    class Meta:
        verbose_name = _("rules of procedure")
        verbose_name_plural = _("rules of procedure")

    def __str__(self) -> str:
        return str(_("Rules of procedure"))

    def rules(self) -> queue.Rules:
        return queue.Rules(
            first_speech_seconds=self.first_speech_seconds,
            second_speech_seconds=self.second_speech_seconds,
            reply_seconds=self.reply_seconds,
            answer_seconds=self.answer_seconds,
            point_of_order_seconds=self.point_of_order_seconds,
            replies_per_speech=self.replies_per_speech,
            speeches_per_person=self.speeches_per_person,
            replies_after_close=self.replies_after_close,
        )


class ItemProcedure(models.Model):
    """An agenda item's own speaking times, where they differ from the congress's rules."""

    class SpeechTime(models.TextChoices):
        RULES = "rules", _("As the rules of procedure")
        OWN = "own", _("Its own time")
        UNLIMITED = "unlimited", _("No limit")

    item = models.OneToOneField(
        AgendaItem,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="plenary_procedure",
        verbose_name=_("agenda item"),
    )
    speech_time = models.CharField(
        _("speaking time for speeches"), max_length=16, choices=SpeechTime.choices, default=SpeechTime.RULES
    )
    speech_seconds = models.PositiveIntegerField(
        _("own time for a first speech (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(7200)],
    )
    introduction_seconds = models.PositiveIntegerField(
        _("introduction (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(7200)],
        help_text=_("The rapporteur's introduction of the item. Empty: no limit."),
    )

    class Meta:
        verbose_name = _("speaking times of the item")
        verbose_name_plural = _("speaking times of the item")
        constraints = [
            models.CheckConstraint(
                condition=~Q(speech_time="own") | Q(speech_seconds__isnull=False),
                name="item_procedure_own_time_given",
                violation_error_message=_("Give the item's own speaking time in seconds."),
            )
        ]

    def __str__(self) -> str:
        return str(self.item)


class Hall(models.Model):
    """The plenary's live state for one congress: the item under debate. Every change in the hall (a request, the
    next speaker, the list closed) takes this row's lock and bumps ``version``, so two chairs' actions happen one
    after the other and every screen knows by one number whether it is up to date."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, primary_key=True, related_name="hall", verbose_name=_("congress")
    )
    current_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item under debate"),
    )
    item_set_at = models.DateTimeField(_("item put before the hall at"), null=True, blank=True)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    screen_key = models.CharField(
        _("key of the screen links"),
        max_length=43,
        unique=True,
        default=new_screen_key,
        editable=False,
        help_text=_(
            "In the links of the hall screen and the lower third, which open without signing in; a new key ends the "
            "links given out before."
        ),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")

    def __str__(self) -> str:
        return str(self.congress)


class SpeakersList(models.Model):
    """The list of speakers of one agenda item: open, or closed by the chair (strek)."""

    item = models.OneToOneField(
        AgendaItem,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="speakers_list",
        verbose_name=_("agenda item"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("list of speakers")
        verbose_name_plural = _("lists of speakers")
        permissions = [("run_speakerslist", _("Can run the lists of speakers and the hall screen"))]

    def __str__(self) -> str:
        return str(self.item)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SpeakerRequest(models.Model):
    """A request for the floor on one agenda item, and the speech when it is given."""

    class Kind(models.TextChoices):
        SPEECH = queue.Kind.SPEECH.value, _("Speech")
        REPLY = queue.Kind.REPLY.value, _("Reply")
        ANSWER = queue.Kind.ANSWER.value, _("Answer to the replies")
        POINT_OF_ORDER = queue.Kind.POINT_OF_ORDER.value, _("Point of order")
        INTRODUCTION = queue.Kind.INTRODUCTION.value, _("Introduction")

    class State(models.TextChoices):
        WAITING = queue.State.WAITING.value, _("Waiting")
        SPEAKING = queue.State.SPEAKING.value, _("Speaking")
        DONE = queue.State.DONE.value, _("Done")
        WITHDRAWN = queue.State.WITHDRAWN.value, _("Withdrawn")

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="speaker_requests", verbose_name=_("agenda item")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="speaker_requests",
        verbose_name=_("participant"),
    )
    speaker_name = models.CharField(
        _("speaker's name"), max_length=200, blank=True, help_text=_("For a speaker who is not a participant.")
    )
    speaker_affiliation = models.CharField(_("speaker's organisation"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SPEECH)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.WAITING)
    order = models.PositiveIntegerField(_("order asked"))
    answers = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("speech replied to"),
    )
    asked_at = models.DateTimeField(_("asked at"))
    asked_version = models.PositiveBigIntegerField(
        _("hall version when asked"),
        default=0,
        help_text=_("A second tap from the same page (which saw an earlier version) does not ask a second time."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
        help_text=_("Empty when the participant asked on their phone."),
    )
    allowed_seconds = models.PositiveIntegerField(_("speaking time (seconds)"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    paused_seconds = models.FloatField(_("paused (seconds)"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for the floor")
        verbose_name_plural = _("requests for the floor")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "participant"],
                condition=Q(state="waiting", kind="speech"),
                name="speaker_request_one_waiting_speech",
                violation_error_message=_("This person is already waiting to speak on this item."),
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="speaking"),
                name="speaker_request_one_speaking",
                violation_error_message=_("Someone is already speaking on this item."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["reply", "answer"], answers__isnull=False)
                | (~Q(kind__in=["reply", "answer"]) & Q(answers__isnull=True)),
                name="speaker_request_reply_has_speech",
                violation_error_message=_("A reply or an answer belongs to a speech."),
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | ~Q(speaker_name=""),
                name="speaker_request_has_speaker",
                violation_error_message=_("Choose a participant or give the speaker's name."),
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=False) | Q(state__in=["waiting", "withdrawn"]),
                name="speaker_request_started_when_given",
                violation_error_message=_("A speech that has been given has a start time."),
            ),
        ]
        indexes = [models.Index(fields=["item", "state"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def name(self) -> str:
        return self.participant.full_name if self.participant_id else self.speaker_name

    def as_queue_request(self) -> queue.Request:
        return queue.Request(
            id=self.pk,
            # Someone who is not a participant speaks as themselves: a negative number no participant has.
            speaker=self.participant_id if self.participant_id else -self.pk,
            kind=queue.Kind(self.kind),
            state=queue.State(self.state),
            asked=self.order,
            answers=self.answers_id,
        )

    def clock(self) -> queue.Clock | None:
        if self.started_at is None:
            return None
        return queue.Clock(started=self.started_at, paused_seconds=self.paused_seconds, paused_since=self.paused_since)


class Officer(models.Model):
    """Who chaired the congress (dirigent) and who signs its minutes (protokollunderskriver)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair (dirigent)")
        PROTOCOL_SIGNER = "protocol_signer", _("Signs the minutes")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="officers", verbose_name=_("congress")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For someone who is not a participant."))
    title = models.CharField(
        _("title or organisation"), max_length=200, blank=True, help_text=_("For example mayor of Bodø.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("chair or minutes signer")
        verbose_name_plural = _("chairs and minutes signers")
        ordering = ["congress", "role", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | ~Q(name=""),
                name="officer_has_a_name",
                violation_error_message=_("Choose a participant or give the name."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.participant.full_name if self.participant_id else self.name
