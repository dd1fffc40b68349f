from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agenda.models import Congress
from delegates.models import County, DelegateKey, Organisation


class CountyMeeting(models.Model):
    """A county's meeting (fylkesmøte) of one election period: a congress of the kind "county meeting" (so that
    invitations, registration, check-in, the political document, amendments and elections work for it as for the
    Landsting), with what is the county meeting's own. Owned by the regional office of its county."""

    congress = models.OneToOneField(
        Congress,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="county_meeting",
        verbose_name=_("congress"),
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


class MeetingSeat(models.Model):
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
    override_seats = models.PositiveSmallIntegerField(_("override"), null=True, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
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
        return self.override_seats if self.override_seats is not None else self.computed_seats
