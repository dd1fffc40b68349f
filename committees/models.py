"""The political document with stable line numbers, the committees that prepare it, amendments and statements.

Line numbers are computed once, when the text is loaded (``committees.document_text.wrap_lines``), and stored with
each paragraph: the screen and the printed version show the same stored lines, so "line 45" means the same words
everywhere. Amendments refer to those numbers and keep a copy of the lines they were written against.
"""

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agenda.models import AgendaItem, Congress
from committees.amending import NumberedLines
from delegates.models import Organisation, Participant


class StatementSettings(models.Model):
    """When delegates may propose statements for a congress, and how many must support one; without a row the
    statements are not open."""

    congress = models.OneToOneField(
        Congress,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="statement_settings",
        verbose_name=_("congress"),
    )
    statement_deadline = models.DateField(
        _("deadline for statements"),
        null=True,
        blank=True,
        help_text=_(
            "Delegates can propose statements on their personal page until the end of this day (Norwegian time). "
            "Empty: not open."
        ),
    )
    statement_min_supporters = models.PositiveSmallIntegerField(
        _("supporters needed for a statement"),
        default=10,
        help_text=_("Named delegates besides the one who proposes a statement on behalf of a group of delegates."),
    )

    class Meta:
        verbose_name = _("statement settings")
        verbose_name_plural = _("statement settings")

    def __str__(self) -> str:
        return str(self.congress)


class PoliticalDocument(models.Model):
    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        PLAIN = "plain", _("Plain text")

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="political_document", verbose_name=_("congress")
    )
    title = models.CharField(_("title"), max_length=300)
    source_text = models.TextField(_("text as loaded"), blank=True)
    text_format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.MARKDOWN)
    line_length = models.PositiveSmallIntegerField(
        _("characters per line"),
        default=80,
        validators=[MinValueValidator(40), MaxValueValidator(120)],
        help_text=_("Lines are numbered once, when the text is loaded; the screen and the PDF show the same lines."),
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    amendment_deadline = models.DateField(
        _("deadline for amendments"),
        null=True,
        blank=True,
        help_text=_(
            "Delegates can propose amendments on their personal page until the end of this day (Norwegian time). "
            "Empty: not open."
        ),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agenda item"),
        help_text=_("The item under which the plenary decides on the document."),
    )
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("political document")
        verbose_name_plural = _("political documents")

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    document = models.ForeignKey(
        PoliticalDocument, on_delete=models.CASCADE, related_name="chapters", verbose_name=_("document")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    first_line = models.PositiveIntegerField(_("first line"))
    last_line = models.PositiveIntegerField(_("last line"))

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="chapter_unique_number"),
            models.CheckConstraint(condition=Q(last_line__gte=F("first_line")), name="chapter_lines_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Paragraph(NumberedLines, models.Model):
    class Kind(models.TextChoices):
        HEADING = "heading", _("Heading")
        TEXT = "text", _("Paragraph")
        LIST_ITEM = "list_item", _("List item")

    document = models.ForeignKey(
        PoliticalDocument, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("document")
    )
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("chapter"))
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    first_line = models.PositiveIntegerField(_("first line"))
    lines = models.JSONField(_("lines"), default=list)

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="paragraph_unique_position"),
            models.UniqueConstraint(fields=["document", "first_line"], name="paragraph_unique_first_line"),
        ]

    def __str__(self) -> str:
        return f"{self.first_line}–{self.last_line}"

    def numbered_lines(self) -> list[tuple[int, str]]:
        return [(self.first_line + offset, line.rstrip(" ")) for offset, line in enumerate(self.lines)]


class Committee(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Committee")
        DRAFTING = "drafting", _("Drafting committee (statements)")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="committees", verbose_name=_("congress")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ORDINARY)
    mandate = models.TextField(_("mandate"), blank=True)
    chapters = models.ManyToManyField(
        Chapter, blank=True, related_name="committees", verbose_name=_("chapters it handles")
    )
    members = models.ManyToManyField(Participant, blank=True, related_name="committees", verbose_name=_("members"))
    chair = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_committees",
        verbose_name=_("chair"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committees_as_secretary",
        verbose_name=_("secretary"),
        help_text=_("A staff user; edits this committee's recommendations and nothing else."),
    )
    recommendation_published = models.BooleanField(
        _("recommendation published"),
        default=False,
        help_text=_("When ticked, delegates see the committee's recommendations on their personal page."),
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["congress", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "name"],
                name="committee_unique_name",
                violation_error_message=_("This congress already has a committee with this name."),
            ),
            models.UniqueConstraint(
                fields=["congress"],
                condition=Q(kind="drafting"),
                name="committee_one_drafting_committee",
                violation_error_message=_("This congress already has a drafting committee."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Recommendation(models.TextChoices):
    ADOPT = "adopt", _("Adopt")
    ADOPT_AMENDED = "adopt_amended", _("Adopt as amended by the committee")
    REJECT = "reject", _("Reject")
    MERGED = "merged", _("Taken into another amendment")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted as proposed")
    ADOPTED_AMENDED = "adopted_amended", _("Adopted as the committee recommended")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn or fell")


class OutcomeSource(models.TextChoices):
    HAND = "hand", _("Entered by hand")
    VOTE = "vote", _("Electronic vote")


class Proposal(models.Model):
    """What amendments and statements share: a numbered proposal with its justification and supporters, which the
    proposer may withdraw until the deadline, on which a committee recommends and the plenary decides.

    ``committees.services`` writes both through the same steps, the admin and the templates show them the same way.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn by the proposer")

    Recommendation = Recommendation
    Outcome = Outcome

    #: The field that holds the committee's own wording when it recommends to adopt the proposal as amended.
    amended_text_field: ClassVar[str]

    number = models.PositiveIntegerField(_("number"))
    justification = models.TextField(_("justification"), blank=True)
    # Each model declares its own "supporters", with its own reverse name (a "%(class)s" name would need a migration).
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    recommendation_reason = models.TextField(_("the committee's reasons"), blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_at = models.DateTimeField(_("recommended at"), null=True, blank=True)

    outcome = models.CharField(_("plenary outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_source = models.CharField(_("outcome from"), max_length=8, choices=OutcomeSource.choices, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded by"),
    )
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def amended_text(self) -> str:
        return getattr(self, self.amended_text_field)


class Amendment(Proposal):
    """A proposal to change lines of the political document: a delegate's (``submitter``), or a meeting's
    (``proposed_by_congress``: a county meeting's adopted amendment forwarded to the Landsting, ``forwarded_from``
    the amendment the meeting adopted). Exactly one of the two proposes it (a check constraint)."""

    class Kind(models.TextChoices):
        REPLACE = "replace", _("Replace lines")
        INSERT = "insert", _("Insert text after a line")
        DELETE = "delete", _("Delete lines")
        NEW_PARAGRAPH = "new_paragraph", _("New paragraph after a line")

    class RangeProblem(models.TextChoices):
        MISSING = "missing", _("The lines no longer exist")
        OUTSIDE_CHAPTER = "outside_chapter", _("The lines are no longer in the chapter")
        CHANGED = "changed", _("The text of the lines has changed")

    amended_text_field = "recommendation_text"

    document = models.ForeignKey(
        PoliticalDocument, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("document")
    )
    chapter = models.ForeignKey(
        Chapter, on_delete=models.SET_NULL, null=True, related_name="amendments", verbose_name=_("chapter")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    line_from = models.PositiveIntegerField(_("from line"))
    line_to = models.PositiveIntegerField(_("to line"))
    text = models.TextField(_("proposed text"), blank=True)
    original_text = models.TextField(_("the lines when proposed"), blank=True)
    document_version = models.PositiveIntegerField(_("document version"))
    submitter = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("proposed by"),
    )
    proposed_by_congress = models.ForeignKey(
        Congress,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposed_amendments",
        verbose_name=_("proposed by the meeting"),
        help_text=_("A county meeting whose adopted amendment was forwarded here as its proposal."),
    )
    forwarded_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forwarded_as",
        verbose_name=_("forwarded from"),
        help_text=_("The amendment the proposing meeting adopted, which this one carries forward."),
    )
    supporters = models.ManyToManyField(
        Participant, blank=True, related_name="supported_amendments", verbose_name=_("supporters")
    )
    range_problem = models.CharField(
        _("problem with the lines"),
        max_length=16,
        choices=RangeProblem.choices,
        blank=True,
        help_text=_("Set when the document was loaded again and the lines no longer match."),
    )

    recommendation = models.CharField(
        _("committee's recommendation"), max_length=16, choices=Recommendation.choices, blank=True
    )
    recommendation_text = models.TextField(
        _("text as amended by the committee"), blank=True, help_text=_("Needed when the committee amends the text.")
    )
    # CASCADE, not SET_NULL: "merged" needs its target (a check constraint), and amendments are only ever deleted
    # together with their document.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merged_amendments",
        verbose_name=_("taken into amendment"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["document", "line_from", "line_to", "number"]
        permissions = [
            ("record_outcome", _("Can record the plenary outcome")),
            ("forward_amendment", _("Can forward a county meeting's adopted amendments to the Landsting")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="amendment_unique_number"),
            models.CheckConstraint(
                condition=Q(submitter__isnull=False, proposed_by_congress__isnull=True)
                | Q(submitter__isnull=True, proposed_by_congress__isnull=False),
                name="amendment_one_proposer",
                violation_error_message=_("An amendment is proposed either by a delegate or by a meeting."),
            ),
            models.CheckConstraint(
                condition=Q(forwarded_from__isnull=True) | Q(proposed_by_congress__isnull=False),
                name="amendment_forwarded_by_meeting",
            ),
            models.CheckConstraint(condition=Q(line_to__gte=F("line_from")), name="amendment_lines_in_order"),
            models.CheckConstraint(
                condition=~Q(kind__in=["insert", "new_paragraph"]) | Q(line_to=F("line_from")),
                name="amendment_insert_at_one_line",
            ),
            models.CheckConstraint(
                condition=~Q(recommendation="adopt_amended") | ~Q(recommendation_text=""),
                name="amendment_amended_needs_text",
            ),
            models.CheckConstraint(
                condition=~Q(recommendation="merged") | Q(merged_into__isnull=False),
                name="amendment_merged_needs_target",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Amendment %(number)d") % {"number": self.number})

    @property
    def proposer_label(self) -> str:
        """Who proposed it, in words: the meeting's name ("Fylkesmøtet i Finnmark 2023") or the delegate's name."""
        if self.proposed_by_congress_id is not None:
            return self.proposed_by_congress.name
        if self.submitter_id is not None:
            return self.submitter.full_name
        return ""

    @property
    def proposer_organisation(self) -> str:
        """The proposing delegate's organisation ("" for a meeting's proposal or a delegate without one)."""
        if self.submitter_id is None or self.submitter.organisation_id is None:
            return ""
        return self.submitter.organisation.name

    @property
    def proposed_by_meeting(self) -> bool:
        return self.proposed_by_congress_id is not None

    @property
    def lines_label(self) -> str:
        if self.line_from == self.line_to:
            return str(_("line %(line)d") % {"line": self.line_from})
        return str(_("lines %(first)d–%(last)d") % {"first": self.line_from, "last": self.line_to})


class Statement(Proposal):
    """A current-affairs statement (uttalelse) proposed to the Landsting; the drafting committee recommends."""

    class ProposerKind(models.TextChoices):
        DELEGATES = "delegates", _("A group of delegates")
        KS_BODY = "ks_body", _("A KS body")
        MEMBER = "member", _("A member municipality or county municipality")

    amended_text_field = "final_text"

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="statements", verbose_name=_("congress")
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("proposed text"))
    proposer_kind = models.CharField(_("proposed by"), max_length=16, choices=ProposerKind.choices)
    proposer_name = models.CharField(
        _("name of the KS body"), max_length=200, blank=True, help_text=_("For example Hovedstyret.")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("member organisation"),
    )
    submitter = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("submitted by"),
    )
    supporters = models.ManyToManyField(
        Participant, blank=True, related_name="supported_statements", verbose_name=_("supporters")
    )

    recommendation = models.CharField(
        _("drafting committee's recommendation"),
        max_length=16,
        choices=[(value, label) for value, label in Recommendation.choices if value != Recommendation.MERGED],
        blank=True,
    )
    final_text = models.TextField(
        _("final text"), blank=True, help_text=_("The text the drafting committee recommends, if it changed it.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["congress", "number"]
        permissions = [("record_statement_outcome", _("Can record the plenary outcome of statements"))]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="statement_unique_number"),
            models.CheckConstraint(
                condition=~Q(recommendation="adopt_amended") | ~Q(final_text=""),
                name="statement_amended_needs_text",
            ),
            models.CheckConstraint(
                condition=~Q(proposer_kind="ks_body") | ~Q(proposer_name=""),
                name="statement_body_needs_name",
            ),
            models.CheckConstraint(
                condition=~Q(proposer_kind="member") | Q(organisation__isnull=False),
                name="statement_member_needs_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(proposer_kind="delegates") | Q(submitter__isnull=False),
                name="statement_group_needs_submitter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def proposer_label(self) -> str:
        if self.proposer_kind == self.ProposerKind.KS_BODY:
            return self.proposer_name
        if self.proposer_kind == self.ProposerKind.MEMBER and self.organisation is not None:
            return self.organisation.name
        if self.submitter is not None:
            return str(_("%(name)s and others") % {"name": self.submitter.full_name})
        return ""

    @property
    def adopted_text(self) -> str:
        """The text the committee recommends: its own version when it amended the proposal."""
        return self.final_text or self.text
