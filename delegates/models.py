import datetime
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router, transaction
from django.db.models import Case, F, Max, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agenda.models import Congress
from agenda.roles import Role
from delegates.keys import split_county_seats
from delegates.mail_texts import placeholder_errors


class RegistrationSettings(models.Model):
    """A congress's settings for invitations and registration; a congress without a row uses the defaults."""

    congress = models.OneToOneField(
        Congress,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="registration_settings",
        verbose_name=_("congress"),
    )
    travel_information = models.TextField(
        _("travel information (Norwegian)"), blank=True, help_text=_("Printed in the invitation letter.")
    )
    travel_information_en = models.TextField(_("travel information (English)"), blank=True)
    link_validity_days = models.PositiveSmallIntegerField(
        _("personal links valid for (days)"),
        default=120,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Counted from the day a link is issued. Each link expires on its own: a new link does not end the ones "
            "sent before."
        ),
    )
    reminder_days_before_deadline = models.PositiveSmallIntegerField(
        _("remind this many days before the deadline"),
        default=7,
        help_text=_("Those who have not registered get one reminder. 0 sends none."),
    )
    health_data_retention_days = models.PositiveSmallIntegerField(
        _("delete diet and accessibility answers after (days)"),
        default=30,
        help_text=_("Counted from the last day of the congress."),
    )

    class Meta:
        verbose_name = _("invitation and registration settings")
        verbose_name_plural = _("invitation and registration settings")

    def __str__(self) -> str:
        return str(self.congress)


class RegionalOffice(models.Model):
    """A regional office of KS. Its staff manage the counties it serves, and only those."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    email = models.EmailField(_("e-mail"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="regional_offices", verbose_name=_("staff users")
    )

    class Meta:
        verbose_name = _("regional office")
        verbose_name_plural = _("regional offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    number = models.CharField(
        _("county number"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^\d{2}$", _("A county number has exactly two digits."))],
    )
    name = models.CharField(_("name"), max_length=100)
    regional_office = models.ForeignKey(
        RegionalOffice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counties",
        verbose_name=_("regional office"),
    )

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Organisation(models.Model):
    """A member organisation that sends delegates.

    Oslo is both a municipality and a county: it is one organisation of the kind
    ``MUNICIPALITY_AND_COUNTY`` and therefore one delegation.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        COUNTY_MUNICIPALITY = "county_municipality", _("County municipality")
        MUNICIPALITY_AND_COUNTY = "municipality_and_county", _("Municipality and county municipality")
        SAMFUNNSBEDRIFTENE = "samfunnsbedriftene", _("Samfunnsbedriftene")

    COUNTY_LEVEL_KINDS = (Kind.COUNTY_MUNICIPALITY, Kind.MUNICIPALITY_AND_COUNTY)
    MUNICIPAL_KINDS = (Kind.MUNICIPALITY, Kind.MUNICIPALITY_AND_COUNTY)

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    number = models.CharField(
        _("official number"),
        max_length=9,
        blank=True,
        help_text=_("Municipality number (4 digits), county number (2 digits) or organisation number."),
    )
    name = models.CharField(_("name"), max_length=200)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("county"),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_date = models.DateField(_("population reference date"), null=True, blank=True)
    official_email = models.EmailField(
        _("official address (postmottak)"),
        blank=True,
        help_text=_("Where letters to the organisation itself go, such as the county meeting's report link."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["county__number", "number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="organisation_unique_official_number"
            ),
            models.UniqueConstraint(
                fields=["county"],
                condition=Q(kind__in=["county_municipality", "municipality_and_county"]),
                name="organisation_one_county_delegation_per_county",
                violation_error_message=_("This county already has a county municipality."),
            ),
            models.CheckConstraint(
                condition=Q(kind="samfunnsbedriftene") | Q(county__isnull=False),
                name="organisation_county_required",
                violation_error_message=_("Municipalities and county municipalities belong to a county."),
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True, population_date__isnull=True)
                | Q(population__isnull=False, population_date__isnull=False),
                name="organisation_population_has_date",
                violation_error_message=_("A population figure needs its reference date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class DelegateKey(models.Model):
    """How a congress's delegate seats are distributed among the counties (statutes §4.1 and §4.3)."""

    class Method(models.TextChoices):
        SAINTE_LAGUE = "sainte-lague", _("Sainte-Laguë")
        MODIFIED_SAINTE_LAGUE = "modified-sainte-lague", _("Modified Sainte-Laguë (first divisor 1.4)")
        DHONDT = "dhondt", _("D'Hondt")
        LARGEST_REMAINDER = "largest-remainder", _("Largest remainder (Hare quota)")

    class SplitRule(models.TextChoices):
        FIXED = "fixed", _("A fixed number of the county's seats goes to the county municipality")
        SHARE = "share", _("A share of the county's seats goes to the county municipality")

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="delegate_key", verbose_name=_("congress")
    )
    member_seats = models.PositiveSmallIntegerField(
        _("seats for municipalities and county municipalities"),
        default=219,
        validators=[MinValueValidator(1)],
    )
    samfunnsbedriftene_seats = models.PositiveSmallIntegerField(_("seats for Samfunnsbedriftene"), default=20)
    method = models.CharField(_("method"), max_length=32, choices=Method.choices, default=Method.SAINTE_LAGUE)
    min_seats_per_county = models.PositiveSmallIntegerField(_("minimum seats per county"), default=0)
    split_rule = models.CharField(
        _("split between county municipality and municipalities"),
        max_length=16,
        choices=SplitRule.choices,
        default=SplitRule.FIXED,
    )
    county_municipality_seats = models.PositiveSmallIntegerField(
        _("seats for the county municipality"),
        default=2,
        help_text=_(
            "Used with the fixed rule: this many of each county's seats go to the county municipality; "
            "the municipalities always keep at least one."
        ),
    )
    county_municipality_share = models.DecimalField(
        _("share for the county municipality (%)"),
        max_digits=5,
        decimal_places=2,
        default=25,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Used with the share rule, rounded half up; the municipalities always keep at least one seat."),
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("computed by"),
    )
    tie_resolution = models.TextField(
        _("how a tie was settled"),
        blank=True,
        editable=False,
        help_text=_("Filled in when the last seat was tied and staff recorded the drawing of lots."),
    )

    class Meta:
        verbose_name = _("delegate key")
        verbose_name_plural = _("delegate keys")

    def __str__(self) -> str:
        return str(_("Delegate key for %(congress)s") % {"congress": self.congress})

    @property
    def total_seats(self) -> int:
        return self.member_seats + self.samfunnsbedriftene_seats

    def split_seats(self, seats: int, *, single_delegation: bool) -> tuple[int, int]:
        """(county municipality seats, municipalities' seats) of a county with ``seats`` seats under this key."""
        return split_county_seats(
            seats=seats,
            rule=self.split_rule,
            fixed=self.county_municipality_seats,
            share_percent=self.county_municipality_share,
            single_delegation=single_delegation,
        )


class SeatOverride(models.Model):
    """Staff's own number of seats in place of the computed one, with the reason, who and when: shared by the
    Landsting's allocation per county and the county meetings' seats per member (``county_meetings.MeetingSeat``).
    The model that uses it has ``computed_seats``."""

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

    class Meta:
        abstract = True

    @property
    def final_seats(self) -> int:
        return self.computed_seats if self.override_seats is None else self.override_seats


class SeatAllocation(SeatOverride):
    """One county's seats under a delegate key: computed, optionally overridden with a recorded reason."""

    key = models.ForeignKey(
        DelegateKey, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("delegate key")
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("county"))
    population = models.PositiveIntegerField(_("population"))
    population_date = models.DateField(_("population reference date"), null=True, blank=True)
    computed_seats = models.PositiveSmallIntegerField(_("computed seats"))
    seats_by_lot = models.PositiveSmallIntegerField(
        _("seats won by drawing lots"), default=0, help_text=_("Included in the computed seats.")
    )
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seat allocation")
        verbose_name_plural = _("seat allocations")
        ordering = ["county__number"]
        constraints = [
            models.UniqueConstraint(fields=["key", "county"], name="seat_allocation_one_row_per_county"),
            models.CheckConstraint(
                condition=Q(override_seats__isnull=True) | ~Q(override_reason=""),
                name="seat_allocation_override_has_reason",
                violation_error_message=_("An override needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county}: {self.final_seats}"


def new_badge_code() -> str:
    """A random code for the check-in QR on the badge (80 bits, easy for a hand scanner to type)."""
    return secrets.token_hex(10).upper()


class Language(models.TextChoices):
    """The languages of what is sent to a participant (mail texts, letters) and of the portal."""

    NB = "nb", _("Norwegian Bokmål")
    EN = "en", _("English")


def site_language() -> str:
    """A new participant's language: the site's (``LANGUAGE_CODE``, bokmål), when participants can have it."""
    code = settings.LANGUAGE_CODE.split("-")[0]
    return code if code in Language.values else Language.NB


def participant_numbers_fill(participants: Iterable["Participant"], *, using: str = "default") -> None:
    """Give each participant without a number the next free numbers of their congress (the highest + 1, …), in the
    order given. Call it inside the transaction that writes them: the congress's row stays locked (FOR NO KEY UPDATE,
    which inserts referring to the congress do not wait for) until that transaction ends, so two transactions adding
    participants to one congress take turns and never draw the same number."""
    by_congress: dict[int, list[Participant]] = {}
    for participant in participants:
        if participant.number is None:
            by_congress.setdefault(participant.congress_id, []).append(participant)
    for congress_id in sorted(by_congress):
        list(Congress.objects.using(using).select_for_update(no_key=True).filter(pk=congress_id).values_list("pk"))
        highest = Participant.objects.using(using).filter(congress_id=congress_id).aggregate(top=Max("number"))["top"]
        for offset, participant in enumerate(by_congress[congress_id], start=1):
            participant.number = (highest or 0) + offset


class ParticipantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Numbers for the new participants, as ``save()`` gives them (imports and the demo create in bulk)."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            participant_numbers_fill(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    def delegation_of(self, participant: "Participant") -> "ParticipantQuerySet":
        """The participant's delegation: same congress, county and electing body (at a county meeting, a member's
        representatives: same congress and organisation)."""
        if participant.elected_by == Participant.ElectedBy.MUNICIPAL_COUNCIL:
            return self.filter(
                congress_id=participant.congress_id,
                organisation_id=participant.organisation_id,
                elected_by=participant.elected_by,
            )
        return self.filter(
            congress_id=participant.congress_id, county_id=participant.county_id, elected_by=participant.elected_by
        )

    def free_deputies(self) -> "ParticipantQuerySet":
        """Active deputies who do not hold a seat yet, next in rank first."""
        return self.filter(role="deputy", status="active", acting_for__isnull=True).order_by("deputy_rank")


class Participant(models.Model):
    """A person taking part in a congress: a delegate, a deputy or another invitee."""

    Role = Role
    Language = Language

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other or not stated")

    class ElectedBy(models.TextChoices):
        COUNTY_MEETING = "county_meeting", _("County meeting (municipalities)")
        COUNTY_COUNCIL = "county_council", _("County council")
        SAMFUNNSBEDRIFTENE = "samfunnsbedriftene", _("Samfunnsbedriftene")
        BY_OFFICE = "by_office", _("By virtue of office")
        #: A municipality's or the county municipality's representatives at a county meeting (reported by the member).
        MUNICIPAL_COUNCIL = "municipal_council", _("Municipal or county council (county meeting)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    VOTING_ROLES = (Role.DELEGATE, Role.SAMFUNNSBEDRIFTENE_DELEGATE)

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="participants", verbose_name=_("congress")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    party = models.CharField(_("party"), max_length=60, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True, help_text=_("For example mayor."))
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=site_language,
        help_text=_("The language of the mails and letters the participant gets, and of their personal pages."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("organisation"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("county"),
        help_text=_("The county the participant represents; decides which regional office manages them."),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    deputy_rank = models.PositiveSmallIntegerField(
        _("deputy rank"), null=True, blank=True, help_text=_("1 is the first deputy of the delegation.")
    )
    elected_by = models.CharField(_("elected by"), max_length=32, choices=ElectedBy.choices, blank=True)
    elected_on = models.DateField(_("elected on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    acting_for = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acting_deputy",
        verbose_name=_("acting for"),
        help_text=_("The delegate whose seat this deputy has taken."),
    )
    number = models.PositiveIntegerField(
        _("participant number"),
        editable=False,
        help_text=_(
            "A short number at this congress, printed on the badge, the name card and the participant list and "
            "searched at the check-in desk. Given when the participant is added; kept on withdrawal, never reused."
        ),
    )
    badge_code = models.CharField(
        _("badge code"),
        max_length=32,
        unique=True,
        default=new_badge_code,
        editable=False,
        help_text=_("Printed as a QR code on the badge for check-in; a different secret from the personal link."),
    )
    history = HistoricalRecords()

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["county__number", "elected_by", "role", "deputy_rank", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "number"],
                name="participant_number_once_per_congress",
                violation_error_message=_("Another participant of this congress has this number."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                "congress",
                condition=~Q(email=""),
                name="participant_once_per_congress",
                violation_error_message=_("A participant with this e-mail address is already registered."),
            ),
            models.UniqueConstraint(
                fields=["congress", "county", "elected_by", "deputy_rank"],
                condition=Q(role="deputy") & ~Q(elected_by="municipal_council"),
                name="participant_unique_deputy_rank",
                violation_error_message=_("Another deputy of this delegation has this rank."),
            ),
            # At a county meeting each municipal council's representatives are a delegation of their own.
            models.UniqueConstraint(
                fields=["congress", "organisation", "deputy_rank"],
                condition=Q(role="deputy", elected_by="municipal_council"),
                name="participant_unique_deputy_rank_per_council",
                violation_error_message=_("Another deputy of this delegation has this rank."),
            ),
            models.CheckConstraint(
                condition=Q(role="deputy", deputy_rank__isnull=False) | (~Q(role="deputy") & Q(deputy_rank=None)),
                name="participant_rank_only_for_deputies",
                violation_error_message=_("Deputies need a rank; other roles have none."),
            ),
            models.CheckConstraint(
                condition=Q(acting_for__isnull=True) | Q(role="deputy"),
                name="participant_only_deputies_act",
                violation_error_message=_("Only a deputy can take a delegate's seat."),
            ),
        ]
        indexes = [models.Index(fields=["congress", "county", "role"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        if self.number is not None:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(Participant, instance=self)
        with transaction.atomic(using=using):  # the congress stays locked until the row is written
            participant_numbers_fill([self], using=using)
            super().save(*args, **kwargs)

    def clean(self) -> None:
        organisation = self.organisation
        if organisation is not None and organisation.county_id is not None:
            if self.county_id is None:
                self.county_id = organisation.county_id
            elif self.county_id != organisation.county_id:
                raise ValidationError({"organisation": _("The organisation belongs to another county.")})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_free_deputy(self) -> bool:
        return self.role == self.Role.DEPUTY and self.status == self.Status.ACTIVE and self.acting_for_id is None

    @property
    def has_voting_right(self) -> bool:
        if self.status != self.Status.ACTIVE:
            return False
        return self.role in self.VOTING_ROLES or self.acting_for_id is not None


class Substitution(models.Model):
    """A delegate withdrew and a deputy took the seat. Kept as the record of who replaced whom, when and why."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+", verbose_name=_("congress"))
    withdrawn = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="substitutions_out", verbose_name=_("withdrawn delegate")
    )
    replacement = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions_in",
        verbose_name=_("replaced by"),
    )
    held_seat = models.BooleanField(
        _("held a voting seat"), default=True, help_text=_("Whether the withdrawal left a seat to fill.")
    )
    reason = models.TextField(_("reason"), blank=True)
    replacement_chosen = models.BooleanField(
        _("deputy chosen by staff"), default=False, help_text=_("Not the next deputy in rank.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.withdrawn} → {self.replacement or '–'}"


class CountyHoldBack(models.Model):
    """Invitations for a county are held back, for example while its county election is re-run."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+", verbose_name=_("congress"))
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="hold_backs", verbose_name=_("county"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("held back by")
    )
    created_at = models.DateTimeField(_("held back since"), auto_now_add=True)

    class Meta:
        verbose_name = _("held-back county")
        verbose_name_plural = _("held-back counties")
        constraints = [
            models.UniqueConstraint(fields=["congress", "county"], name="county_hold_back_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="county_hold_back_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.county} ({self.congress})"


class PersonalLinkQuerySet(models.QuerySet):
    """The rule of a link that opens, written once (``problem``). The ORM reads it through ``valid`` and
    ``with_problem``; a statement written in SQL by hand (the ballot cast in one statement) through ``valid_sql``."""

    @staticmethod
    def problem(at: datetime.datetime | RawSQL) -> Case:
        """Why a link does not open at ``at``: "revoked" (by staff) before "expired"; "" when it opens. A participant
        may hold several links that open: a new link never ends an earlier one."""
        return Case(
            When(revoked_at__isnull=False, then=Value("revoked")),
            When(expires_at__lte=at, then=Value("expired")),
            default=Value(""),
            output_field=models.CharField(),
        )

    def with_problem(self, *, at: datetime.datetime) -> "PersonalLinkQuerySet":
        """Each link with ``problem``: why it does not open at ``at``, or ""."""
        return self.annotate(problem=self.problem(at))

    def valid(self, *, at: datetime.datetime | RawSQL | None = None) -> "PersonalLinkQuerySet":
        """The links that open at ``at`` (now, unless given)."""
        return self.alias(problem=self.problem(timezone.now() if at is None else at)).filter(problem="")

    def valid_sql(self, *, at_sql: str) -> tuple[str, list]:
        """``valid()`` as an SQL condition on the link table (named by its ``db_table``, not an alias) and its
        parameters (``%s``), for a statement written by hand; ``at_sql`` is the SQL of the moment, such as a named
        placeholder."""
        query = self.valid(at=RawSQL(at_sql, (), output_field=models.DateTimeField())).query  # noqa: S611 - code
        return query.where.as_sql(query.get_compiler(using=self.db), connections[self.db])


class PersonalLink(models.Model):
    """A participant's way in to the portal. Only a hash of the secret is stored; the secret is in the mail.

    A participant may hold several links at once (the invitation letter's, a reminder's, one asked for as lost), each
    opening until it expires; only staff revoke a link (``revoked_at``, ``revoked_by``)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="links", verbose_name=_("participant")
    )
    token_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True)

    objects = PersonalLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(_("Link for %(participant)s") % {"participant": self.participant})


class Registration(models.Model):
    """What a participant answered through their personal link. Diet, allergy and accessibility answers are
    health-related and deleted a configurable number of days after the congress; there is no history of them."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CANCELLED = "cancelled", _("Cancelled")

    class Diet(models.TextChoices):
        NONE = "", _("No special diet")
        VEGETARIAN = "vegetarian", _("Vegetarian")
        VEGAN = "vegan", _("Vegan")
        OTHER = "other", _("Other (see allergies and notes)")

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="registration", verbose_name=_("participant")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    events = models.ManyToManyField("agenda.Event", blank=True, related_name="registrations", verbose_name=_("events"))
    hotel_nights = models.JSONField(_("hotel nights"), default=list, blank=True, help_text=_("Dates of the nights."))
    diet = models.CharField(_("diet"), max_length=16, choices=Diet.choices, default=Diet.NONE, blank=True)
    allergies = models.TextField(_("allergies and food intolerances"), blank=True)
    accessibility = models.TextField(_("accessibility needs"), blank=True)
    arrival = models.DateTimeField(_("arrival"), null=True, blank=True)
    departure = models.DateTimeField(_("departure"), null=True, blank=True)
    listed = models.BooleanField(_("may appear in the participant list"), default=False)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    health_data_deleted_at = models.DateTimeField(_("diet and accessibility answers deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(arrival__isnull=True) | Q(departure__isnull=True) | Q(departure__gte=F("arrival")),
                name="registration_departure_after_arrival",
                violation_error_message=_("Departure cannot be before arrival."),
            )
        ]

    def __str__(self) -> str:
        return str(self.participant)


class MailText(models.Model):
    """The text of a kind of mail, per congress and language, with placeholders checked when saved."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        CONFIRMATION = "confirmation", _("Registration confirmation")
        REMINDER = "reminder", _("Reminder")
        LOST_LINK = "lost_link", _("New link")
        CANCELLATION_NOTICE = "cancellation_notice", _("Cancellation notice to the regional office")

    Language = Language

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="mail_texts", verbose_name=_("congress")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.NB)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("mail text")
        verbose_name_plural = _("mail texts")
        ordering = ["congress", "kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "kind", "language"], name="mail_text_one_per_kind_and_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"

    def clean(self) -> None:
        errors = placeholder_errors(kind=self.kind, subject=self.subject, body=self.body)
        if errors:
            raise ValidationError(errors)


class Attendance(models.Model):
    """A participant arriving at or leaving the congress hall, as registered at the check-in desk."""

    class Direction(models.TextChoices):
        IN = "in", _("Arrived")
        OUT = "out", _("Left")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("participant")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-at"]
        indexes = [models.Index(fields=["participant", "-at"])]

    def __str__(self) -> str:
        return f"{self.participant} {self.get_direction_display()} {self.at:%Y-%m-%d %H:%M}"


def counties_label(counties: Iterable[County] | None) -> str:
    """Counties by name in county number order ("Østfold, Akershus, Buskerud"); "" for none (the whole congress)."""
    return ", ".join(county.name for county in sorted(counties or [], key=lambda county: county.number))


class GeneratedDocument(models.Model):
    """A printed document (PDF) rendered by a worker: programme, agenda, badges, lists, name cards."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme booklet")
        AGENDA = "agenda", _("Agenda with documents and decisions")
        BADGES_A4 = "badges_a4", _("Badges, A4 sheets of eight")
        BADGES_LABELS = "badges_labels", _("Badges, label stock")
        PARTICIPANT_LIST = "participant_list", _("Participant list per county")
        NAME_CARDS = "name_cards", _("Name cards for the tables")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+", verbose_name=_("congress"))
    kind = models.CharField(_("document"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("ordered by")
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counties = models.ManyToManyField(
        County,
        blank=True,
        related_name="+",
        verbose_name=_("counties"),
        help_text=_("The counties whose participants the document contains; none: the whole congress."),
    )

    class Meta:
        verbose_name = _("printed document")
        verbose_name_plural = _("printed documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.congress})"

    def counties_label(self) -> str:
        """:func:`counties_label` of the counties it covers; "" for the whole congress. Reads ``counties.all()``, so a
        list prefetches them."""
        return counties_label(self.counties.all())
