from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agenda.roles import Role


class Congress(models.Model):
    class Kind(models.TextChoices):
        LANDSTING = "landsting", _("Landsting")
        COUNTY_MEETING = "county_meeting", _("County meeting")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        INVITATIONS = "invitations", _("Invitations sent")
        REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
        IN_SESSION = "in_session", _("In session")
        CONCLUDED = "concluded", _("Concluded")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    city = models.CharField(_("city"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    registration_deadline = models.DateField(_("registration deadline"))
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.PLANNING)
    kind = models.CharField(
        _("kind"),
        max_length=32,
        choices=Kind.choices,
        default=Kind.LANDSTING,
        help_text=_("A county meeting (fylkesmøte) has its county and its own settings on its county meeting's page."),
    )

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["-first_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "year"],
                name="congress_unique_name_year",
                violation_error_message=_("A congress with this name and year already exists."),
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="congress_last_day_after_first",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=F("first_day")),
                name="congress_deadline_before_start",
                violation_error_message=_("The registration deadline must be on or before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """Something that happens during the congress week: a meeting, a summit, a Landsting session, a dinner."""

    class Kind(models.TextChoices):
        BOARD_MEETING = "board_meeting", _("Board meeting")
        YOUTH_SUMMIT = "youth_summit", _("Youth summit")
        CHIEF_EXECUTIVES_SUMMIT = "chief_executives_summit", _("Chief executives' summit")
        POLICY_SUMMIT = "policy_summit", _("Municipal policy summit")
        LANDSTING_SESSION = "landsting_session", _("Landsting session")
        DINNER = "dinner", _("Dinner")
        OTHER = "other", _("Other")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="events", verbose_name=_("congress"))
    title = models.CharField(_("title (Norwegian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    invited_roles = models.JSONField(
        _("invited roles"), default=list, blank=True, help_text=_("The participant roles invited to this event.")
    )
    registration_required = models.BooleanField(_("registration required"), default=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("An event must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        unknown = sorted(set(self.invited_roles or []) - set(Role.values))
        if unknown:
            raise ValidationError({"invited_roles": _("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)}})

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title

    def invites(self, role: str) -> bool:
        return role in (self.invited_roles or [])


class AgendaItem(models.Model):
    """An item of the Landsting's agenda (saksliste)."""

    class Kind(models.TextChoices):
        CONSTITUTION = "constitution", _("Constitution of the meeting")
        LEADER_SPEECH = "leader_speech", _("The leader's speech")
        GENERAL_DEBATE = "general_debate", _("General political debate")
        POLITICAL_DOCUMENT = "political_document", _("The political document")
        STATEMENTS = "statements", _("Statements")
        ELECTIONS = "elections", _("Elections")
        MEMBERSHIP_FEE = "membership_fee", _("Membership fee")
        STATUTES = "statutes", _("Statutes")
        OTHER = "other", _("Other")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("congress")
    )
    session = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("session"),
        help_text=_("The Landsting session in which the item is dealt with."),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title (Norwegian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    rapporteur = models.CharField(_("rapporteur"), max_length=200, blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_minutes = models.PositiveSmallIntegerField(_("planned duration (minutes)"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True, help_text=_("Entered after the meeting."))

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["congress", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "number"],
                name="agenda_item_unique_number",
                violation_error_message=_("Another agenda item of this congress has this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title


class AgendaDocument(models.Model):
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="documents", verbose_name=_("agenda item")
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="agenda/%Y/")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")
        ordering = ["item", "order", "title"]

    def __str__(self) -> str:
        return self.title
