from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agenda.models import Congress
from delegates.models import County, DelegateKey, Organisation, Participant, SeatOverride


class CountyMeeting(models.Model):
    """A county's meeting (fylkesmøte) of one election period: a congress of the kind "county meeting" (so that
    invitations, registration, check-in, the political document, amendments and elections work for it as for the
    Landsting), with what is the county meeting's own. Owned by the regional office of its county."""

    congress = models.OneToOneField(
        Congress,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="county_meeting",
        verbose_name=_("meeting"),
        limit_choices_to={"kind": Congress.Kind.COUNTY_MEETING},
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="county_meetings", verbose_name=_("county")
    )
    election_year = models.PositiveSmallIntegerField(
        _("election year"),
        validators=[MinValueValidator(2019), MaxValueValidator(2100)],
        help_text=_("The year of the municipal and county elections the meeting follows."),
    )
    seats = models.PositiveSmallIntegerField(
        _("representatives in all"),
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("The meeting's members from the municipalities and the county municipality together."),
    )
    min_seats = models.PositiveSmallIntegerField(
        _("minimum per member"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Every municipality gets at least this many representatives."),
    )
    county_municipality_seats = models.PositiveSmallIntegerField(
        _("representatives of the county municipality"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "A fixed number: the county municipality's population is the whole county's, so it does not take part in "
            "the sharing by population. The municipalities share the rest."
        ),
    )
    method = models.CharField(
        _("method"), max_length=32, choices=DelegateKey.Method.choices, default=DelegateKey.Method.SAINTE_LAGUE
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("computed by"),
    )
    tie_resolution = models.TextField(_("drawing of lots"), blank=True, editable=False)
    seats_published_at = models.DateTimeField(
        _("table published at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Once published, the table is what the municipalities are told; it is not computed again."),
    )
    seats_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("table published by"),
    )
    report_deadline = models.DateField(
        _("report deadline"),
        null=True,
        blank=True,
        help_text=_("The day by which the municipalities report their representatives (open through that day)."),
    )
    party_deviation_points = models.DecimalField(
        _("party deviation flagged beyond (points)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("50"))],
        help_text=_("A party whose share of the members differs from its share of the votes by more is flagged."),
    )
    results_source = models.CharField(
        _("source of the election results"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("Where the imported election results come from, as given with the import."),
    )
    county_board_seats = models.PositiveSmallIntegerField(
        _("members of the county board"),
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(15)],
        help_text=_("As the meeting decides: 7 to 15, the leader and the deputy leader included."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("county meeting")
        verbose_name_plural = _("county meetings")
        ordering = ["-election_year", "county__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "election_year"],
                name="county_meeting_once_per_period",
                violation_error_message=_("This county already has a county meeting for this election."),
            )
        ]

    def __str__(self) -> str:
        return str(self.congress)


class MeetingSeat(SeatOverride):
    """How many representatives one member (a municipality, or the county municipality) has at a county meeting."""

    meeting = models.ForeignKey(
        CountyMeeting, on_delete=models.CASCADE, related_name="member_seats", verbose_name=_("county meeting")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_seats", verbose_name=_("member")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    computed_seats = models.PositiveSmallIntegerField(_("computed seats"))
    seats_by_lot = models.PositiveSmallIntegerField(_("of which by lot"), default=0)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("representatives of a member")
        verbose_name_plural = _("representatives per member")
        ordering = ["meeting", "organisation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                name="meeting_seat_once_per_member",
                violation_error_message=_("This member already has a row in the meeting's table."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.seats}"

    @property
    def seats(self) -> int:
        return self.final_seats


class MemberReport(models.Model):
    """A member's report of the representatives its council elected to the county meeting: written by the
    municipality through its personal link (``ReportLink``), or by the regional office on its behalf. A draft keeps a
    half-filled form; submitted, it counts as reported."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    meeting = models.ForeignKey(
        CountyMeeting, on_delete=models.CASCADE, related_name="reports", verbose_name=_("county meeting")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_reports", verbose_name=_("member")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    decision_date = models.DateField(_("date of the council's decision"), null=True, blank=True)
    decision_document = models.FileField(
        _("the council's decision (PDF)"), upload_to="county_meetings/decisions/", blank=True
    )
    contact_name = models.CharField(_("reported by"), max_length=200, blank=True)
    contact_email = models.EmailField(_("reporter's e-mail"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by staff"),
        help_text=_("Empty when the municipality reported itself."),
    )
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member's report")
        verbose_name_plural = _("members' reports")
        ordering = ["meeting", "organisation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                name="member_report_once_per_member",
                violation_error_message=_("This member already has a report for this county meeting."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="member_report_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}: {self.get_status_display()}"


class ReportedPerson(models.Model):
    """One representative or deputy in a member's report; deputies in ranked order (1 is the first deputy)."""

    class Role(models.TextChoices):
        REPRESENTATIVE = "representative", _("Representative")
        DEPUTY = "deputy", _("Deputy")

    Gender = Participant.Gender

    report = models.ForeignKey(MemberReport, on_delete=models.CASCADE, related_name="people", verbose_name=_("report"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    rank = models.PositiveSmallIntegerField(_("order"), help_text=_("For deputies: 1 is the first deputy."))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Participant.Gender.choices, blank=True)
    party = models.CharField(_("party"), max_length=60, blank=True)
    participant = models.OneToOneField(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_as",
        verbose_name=_("participant of the county meeting"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported representative")
        verbose_name_plural = _("reported representatives")
        ordering = ["report", "role", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "role", "rank"],
                name="reported_person_rank_once",
                violation_error_message=_("Two people have the same place in the report."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ReportLinkQuerySet(models.QuerySet):
    def valid(self) -> "ReportLinkQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ReportLink(models.Model):
    """The secret link a member reports through, sent to its official address. Only the SHA-256 of the secret is
    stored; a link opens until it expires or staff revoke it, and a new link never ends an earlier one."""

    report = models.ForeignKey(MemberReport, on_delete=models.CASCADE, related_name="links", verbose_name=_("report"))
    token_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    mailed_to = models.EmailField(_("mailed to"), blank=True)
    first_opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True)

    objects = ReportLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("report link")
        verbose_name_plural = _("report links")
        ordering = ["report", "-created_at"]

    def __str__(self) -> str:
        return str(self.report)


class ElectionResult(models.Model):
    """A party's votes in one municipality at the municipal council election the meeting follows (imported from
    CSV), for the composition check."""

    meeting = models.ForeignKey(
        CountyMeeting, on_delete=models.CASCADE, related_name="election_results", verbose_name=_("county meeting")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    party = models.CharField(_("party"), max_length=60)
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        verbose_name = _("election result")
        verbose_name_plural = _("election results")
        ordering = ["meeting", "organisation__number", "-votes"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation", "party"],
                name="election_result_once_per_party",
                violation_error_message=_("This party already has votes for this municipality."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} {self.party}: {self.votes}"


class TransferredDelegate(models.Model):
    """A Landsting participant made from a candidate the county meeting elected: the record that makes the transfer
    run once per candidate, however often it is asked for."""

    meeting = models.ForeignKey(
        CountyMeeting, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("county meeting")
    )
    candidate = models.OneToOneField(
        "elections.Candidate", on_delete=models.PROTECT, related_name="transferred_as", verbose_name=_("candidate")
    )
    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="transferred_from", verbose_name=_("Landsting participant")
    )
    transferred_at = models.DateTimeField(_("transferred at"), auto_now_add=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred by"),
    )

    class Meta:
        verbose_name = _("transferred delegate")
        verbose_name_plural = _("transferred delegates")
        ordering = ["meeting", "participant__role", "participant__deputy_rank"]

    def __str__(self) -> str:
        return str(self.participant)
