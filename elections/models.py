"""Elections and plenary votes: one poll engine with secret ballots.

Secrecy by construction: who voted (``VoteCast``) and what was voted are separate tables. While the poll is open a
ballot is a ``SealedBallot``: encrypted with a key the database never holds (``elections.sealing``), written in the
same statement as the vote record. At the close the sealed ballots are opened, counted and written again as
``Ballot`` rows in a random order, in the close's transaction, and the sealed rows are deleted. A ballot has no voter,
no time and a random key; its receipt is a random code shown once to the voter and never stored with the voter.
``VoteCast``'s unique constraint makes a second attempt fail. See docs/DESIGN.md, "Threat model: secret ballots".
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agenda.models import AgendaItem, Congress
from delegates.models import County, Organisation, Participant


class Election(models.Model):
    class Office(models.TextChoices):
        LEADER = "leader", _("Leader")
        FIRST_DEPUTY = "first_deputy", _("First deputy leader")
        SECOND_DEPUTY = "second_deputy", _("Second deputy leader")
        HOVEDSTYRE_MEMBER = "hovedstyre_member", _("Member of the executive board (hovedstyret)")
        HOVEDSTYRE_DEPUTY = "hovedstyre_deputy", _("Deputy member of the executive board (hovedstyret)")
        LANDSSTYRE_MEMBER = "landsstyre_member", _("Member of the national board (landsstyret)")
        ELECTION_COMMITTEE = "election_committee", _("Election committee")
        LANDSTING_DELEGATE = "landsting_delegate", _("The municipalities' delegates to the Landsting")
        LANDSTING_DEPUTY = "landsting_deputy", _("The municipalities' deputies to the Landsting (ranked)")
        COUNTY_BOARD_LEADER = "county_board_leader", _("Leader of the county board")
        COUNTY_BOARD_DEPUTY_LEADER = "county_board_deputy_leader", _("Deputy leader of the county board")
        COUNTY_BOARD_MEMBER = "county_board_member", _("Member of the county board")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        SINGLE_MAJORITY = "single_majority", _("One seat, absolute majority (run-off between the two leading)")
        MULTI_SEAT = "multi_seat", _("Several seats, the most votes win")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="elections", verbose_name=_("congress")
    )
    office = models.CharField(_("office"), max_length=32, choices=Office.choices)
    title = models.CharField(_("title"), max_length=200, help_text=_("For example “Election of the leader”."))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1, validators=[MinValueValidator(1)])
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.SINGLE_MAJORITY)
    max_choices = models.PositiveSmallIntegerField(
        _("names on a ballot"),
        null=True,
        blank=True,
        help_text=_("How many candidates a ballot may name. Empty: as many as there are seats."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("agenda item")
    )

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["congress", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="single_majority") | Q(seats=1),
                name="election_single_majority_one_seat",
                violation_error_message=_("An election by absolute majority has one seat."),
            ),
            models.UniqueConstraint(
                fields=["congress", "title"],
                name="election_unique_title",
                violation_error_message=_("This congress already has an election with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def choices_per_ballot(self) -> int:
        return self.max_choices or self.seats


class Candidate(models.Model):
    class ProposedBy(models.TextChoices):
        COMMITTEE = "committee", _("The election committee")
        FLOOR = "floor", _("From the floor")

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("election")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=8, choices=Participant.Gender.choices, blank=True)
    party = models.CharField(_("party"), max_length=60, blank=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("county")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidacies",
        verbose_name=_("participant"),
        help_text=_("If the candidate takes part in the congress."),
    )
    proposed_by = models.CharField(
        _("proposed by"), max_length=16, choices=ProposedBy.choices, default=ProposedBy.COMMITTEE
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["election", "position", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "first_name", "last_name", "organisation"],
                name="candidate_once_per_election",
                violation_error_message=_("This candidate is already standing in this election."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @classmethod
    def of_participant(cls, *, election: Election, participant: Participant, **fields) -> "Candidate":
        """An unsaved candidate standing as the congress's participant: their name, gender, party, county and
        organisation, linked to them."""
        return cls(
            election=election,
            first_name=participant.first_name,
            last_name=participant.last_name,
            gender=participant.gender,
            party=participant.party,
            county=participant.county,
            organisation=participant.organisation,
            participant=participant,
            **fields,
        )


class AutomaticMember(models.Model):
    """Someone who sits in the body without being elected here (the landsstyre: the hovedstyre, county board
    leaders, Samfunnsbedriftene's member); shown beside those to be elected and counted in the gender balance."""

    class Reason(models.TextChoices):
        HOVEDSTYRE = "hovedstyre", _("Member of the executive board")
        COUNTY_BOARD_LEADER = "county_board_leader", _("Leader of a county board")
        SAMFUNNSBEDRIFTENE = "samfunnsbedriftene", _("Samfunnsbedriftene's member")
        OTHER = "other", _("Other")

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="automatic_members", verbose_name=_("election")
    )
    name = models.CharField(_("name"), max_length=200)
    reason = models.CharField(_("sits because"), max_length=32, choices=Reason.choices)
    gender = models.CharField(_("gender"), max_length=8, choices=Participant.Gender.choices, blank=True)
    party = models.CharField(_("party"), max_length=60, blank=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("county")
    )

    class Meta:
        verbose_name = _("member by virtue of office")
        verbose_name_plural = _("members by virtue of office")
        ordering = ["election", "reason", "name"]

    def __str__(self) -> str:
        return self.name


class Poll(models.Model):
    """One vote: an election round or a plenary decision. DRAFT → OPEN → CLOSED (count frozen) → PUBLISHED."""

    class Kind(models.TextChoices):
        SINGLE_MAJORITY = "single_majority", _("Election, one seat")
        MULTI_SEAT = "multi_seat", _("Election, several seats")
        YES_NO = "yes_no", _("Yes / no / abstain")

    class State(models.TextChoices):
        DRAFT = "draft", _("Not opened")
        OPEN = "open", pgettext_lazy("poll state", "Open")
        CLOSED = "closed", _("Closed, being checked")
        PUBLISHED = "published", _("Published")

    class Mode(models.TextChoices):
        ELECTRONIC = "electronic", _("Electronic")
        PAPER = "paper", _("Paper ballots, counts entered")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("Simple majority")
        TWO_THIRDS = "two_thirds", _("Two-thirds majority")

    #: The state and mode in which a poll takes ballots, and no other (a paper ballot's counts are entered by the
    #: officials): for the ORM (``filter(**Poll.TAKES_BALLOTS)``), the instance and the one-statement cast.
    TAKES_BALLOTS = {"state": State.OPEN, "mode": Mode.ELECTRONIC}

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="polls", verbose_name=_("congress"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("ballots"), max_length=12, choices=Mode.choices, default=Mode.ELECTRONIC)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, null=True, blank=True, related_name="polls", verbose_name=_("election")
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    runoff_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="runoff", verbose_name=_("run-off of")
    )
    candidates = models.ManyToManyField(Candidate, blank=True, related_name="polls", verbose_name=_("candidates"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1, validators=[MinValueValidator(1)])
    max_choices = models.PositiveSmallIntegerField(_("names on a ballot"), default=1, validators=[MinValueValidator(1)])
    majority = models.CharField(_("majority"), max_length=12, choices=Majority.choices, default=Majority.SIMPLE)
    subject_key = models.CharField(
        _("decides on"), max_length=100, blank=True, help_text=_("The amendment or statement the vote decides.")
    )
    subject_label = models.CharField(_("subject"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    eligible_count = models.PositiveIntegerField(_("eligible voters"), default=0)
    ballot_key_check = models.CharField(
        _("ballot key check"),
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("Recognises the key the ballots were sealed with (not the key itself)."),
    )
    result = models.JSONField(_("result"), null=True, blank=True, help_text=_("Frozen when the poll is closed."))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["congress", "position", "pk"]
        permissions = [("run_poll", _("Can open, close, sign off and publish polls"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_choices__lte=F("seats")) | Q(kind="multi_seat"),
                name="poll_choices_within_seats",
            ),
            models.CheckConstraint(
                condition=~Q(kind="yes_no") | Q(election__isnull=True), name="poll_yes_no_without_election"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_election(self) -> bool:
        return self.kind != self.Kind.YES_NO

    @property
    def takes_ballots(self) -> bool:
        return all(getattr(self, field) == value for field, value in self.TAKES_BALLOTS.items())


class EligibleVoter(models.Model):
    """The snapshot taken when the poll opens: who may vote in it (present delegates, stand-in deputies)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="eligible", verbose_name=_("poll"))
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+", verbose_name=_("voter"))
    stands_in_for = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stands in for"),
        help_text=_("A deputy votes in place of an absent delegate of the same delegation."),
    )

    class Meta:
        verbose_name = _("eligible voter")
        verbose_name_plural = _("eligible voters")
        constraints = [models.UniqueConstraint(fields=["poll", "participant"], name="eligible_once_per_poll")]

    def __str__(self) -> str:
        return f"{self.participant} ({self.poll})"


class VoteCast(models.Model):
    """That a voter has voted in a poll, and nothing about what or when. Random key: no order to match."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes_cast", verbose_name=_("poll"))
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+", verbose_name=_("voter"))

    class Meta:
        verbose_name = _("vote cast")
        verbose_name_plural = _("votes cast")
        constraints = [models.UniqueConstraint(fields=["poll", "participant"], name="one_vote_per_voter")]

    def __str__(self) -> str:
        return f"{self.participant} ({self.poll})"


class SealedBallot(models.Model):
    """A ballot of an open poll, encrypted (``elections.sealing``): nothing of it is readable without the server's
    key, and nothing of it (key, receipt, choices) is found again in the ``Ballot`` it becomes at the close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="sealed_ballots", verbose_name=_("poll"))
    tag = models.BinaryField(_("receipt tag"), max_length=16, help_text=_("A keyed hash of the receipt."))
    sealed = models.BinaryField(_("sealed ballot"))

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")
        constraints = [models.UniqueConstraint(fields=["poll", "tag"], name="sealed_ballot_unique_tag")]

    def __str__(self) -> str:
        return str(self.pk)


class Ballot(models.Model):
    """What was voted, with no voter and no time, written when the poll closes. Random key; the receipt lets its
    voter find it once published."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("poll"))
    receipt = models.CharField(_("receipt"), max_length=16)
    choices = models.JSONField(_("candidates chosen"), default=list, blank=True)
    answer = models.CharField(_("answer"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["poll", "receipt"], name="ballot_unique_receipt")]

    def __str__(self) -> str:
        return self.receipt


class PaperCount(models.Model):
    """The counts of paper ballots, entered by the officials when the electronic vote cannot be used."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="paper_count", verbose_name=_("poll"))
    counts = models.JSONField(_("counts"), default=dict)
    blank = models.PositiveIntegerField(_("blank ballots"), default=0)
    rejected = models.PositiveIntegerField(_("rejected ballots"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("paper count")
        verbose_name_plural = _("paper counts")

    def __str__(self) -> str:
        return str(self.poll)


class LotDrawing(models.Model):
    """A tie settled by drawing lots in the hall, recorded with who drew and who witnessed."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="lot_drawings", verbose_name=_("poll"))
    tied = models.JSONField(_("tied candidates"))
    winners = models.JSONField(_("drawn"))
    drawn_by = models.CharField(_("drawn by"), max_length=200)
    witnesses = models.CharField(_("witnesses"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("drawing of lots")
        verbose_name_plural = _("drawings of lots")

    def __str__(self) -> str:
        return str(self.poll)


class SignOff(models.Model):
    """An official has checked the frozen count and signs it off."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("poll"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="sign_off_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.poll})"
