"""Admin of the committee work. Thin: forms check, services write, selectors say who may do what.

- The secretariat sets up the document and the committees and records plenary outcomes.
- A committee secretary records the recommendations of their own committee only.
- Regional staff read; a recommendation is shown to them once the committee has published it.
"""

from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenda.admin import CongressAdmin
from agenda.selectors import congresses_visible_to
from agenda.staff import AgendaItemsOfItsCongressMixin, VisibleCongressFilter
from committees.forms import STATEMENT_PROPOSAL_FIELDS, AmendmentAdminForm, CommitteeAdminForm, StatementAdminForm
from committees.models import Amendment, Chapter, Committee, PoliticalDocument, Proposal, Statement, StatementSettings
from committees.selectors import (
    PROPOSED_BY_DELEGATES,
    PROPOSED_BY_MEETING,
    amendments_by_proposer,
    committees_visible_to,
    is_secretariat,
    may_recommend_amendment,
    may_recommend_statement,
    may_see_unpublished_recommendations,
)
from committees.services import (
    amendment_recommend,
    proposal_record_outcome,
    statement_recommend,
    statement_register,
)

# --- The political document ------------------------------------------------------------------------------------


class StatementSettingsInline(admin.StackedInline):
    model = StatementSettings
    can_delete = False
    max_num = 1
    min_num = 1
    verbose_name = _("Statements")
    fields = ("statement_deadline", "statement_min_supporters")


CongressAdmin.settings_inlines.append(StatementSettingsInline)


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ("number", "title", "first_line", "last_line", "handled_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("committees")

    @admin.display(description=_("handled by"))
    def handled_by(self, chapter: Chapter) -> str:
        return ", ".join(committee.name for committee in chapter.committees.all()) or "–"


@admin.register(PoliticalDocument)
class PoliticalDocumentAdmin(AgendaItemsOfItsCongressMixin, admin.ModelAdmin):
    list_display = ("title", "congress", "version", "line_count", "amendment_deadline", "amendment_count", "loaded_at")
    list_select_related = ("congress",)
    inlines = [ChapterInline]
    fields = (
        "congress",
        "title",
        "amendment_deadline",
        "agenda_item",
        "text_format",
        "line_length",
        "version",
        "loaded_at",
        "loaded_by",
    )
    readonly_fields = ("congress", "text_format", "line_length", "version", "loaded_at", "loaded_by")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(congress__in=congresses_visible_to(request.user))
            .annotate(
                _lines=Max("chapters__last_line"),
                _amendments=Count("amendments", filter=Q(amendments__status="submitted"), distinct=True),
            )
        )

    @admin.display(description=_("lines"), ordering="_lines")
    def line_count(self, document: PoliticalDocument) -> int:
        return document._lines or 0

    @admin.display(description=_("amendments"), ordering="_amendments")
    def amendment_count(self, document: PoliticalDocument) -> int:
        return document._amendments

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("committees_staff:document_load_new")


# --- Committees --------------------------------------------------------------------------------------------------


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    form = CommitteeAdminForm
    # The work page's link next to the name, so it is never off-screen; the chair and secretary are on the form.
    list_display = (
        "name",
        "work_link",
        "congress",
        "kind",
        "chapter_list",
        "member_count",
        "recommendation_published",
    )
    list_filter = (("congress", VisibleCongressFilter), "kind", "recommendation_published")
    list_select_related = ("congress", "chair", "secretary")
    filter_horizontal = ("chapters", "members")
    search_fields = ("name",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(_members=Count("members", distinct=True))
        return queryset.prefetch_related("chapters").filter(pk__in=committees_visible_to(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("congress", "kind")
        return ()

    @admin.display(description=_("chapters"))
    def chapter_list(self, committee: Committee) -> str:
        return ", ".join(str(chapter.number) for chapter in committee.chapters.all()) or "–"

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, committee: Committee) -> int:
        return committee._members

    @admin.display(description=_("committee work"))
    def work_link(self, committee: Committee) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("committees_staff:committee_work", args=[committee.pk]), gettext("Open")
        )


# --- Amendments and statements: what their admins share ---------------------------------------------------------

SUBMISSION_FIELDS = ("submitter", "supporter_names", "status", "submitted_at", "withdrawn_at")
DECISION_READONLY_FIELDS = (
    "recommended_by",
    "recommended_at",
    "outcome_source",
    "outcome_recorded_by",
    "outcome_recorded_at",
)
PLENARY_FIELDS = ("outcome", "outcome_source", "outcome_recorded_by", "outcome_recorded_at")


def _published_recommendation_column(description: str):
    """The list column of the recommendation for who sees it only once the committee has published it."""

    @admin.display(description=description, ordering="recommendation")
    def published_recommendation(self, proposal: Proposal) -> str:
        if proposal._published and proposal.recommendation:
            return proposal.get_recommendation_display()
        return "–"

    return published_recommendation


class ProposalAdmin(admin.ModelAdmin):
    """The admin of amendments and statements. A proposal is never deleted (the proposer withdraws it, the plenary
    decides). Its committee's recommendation is edited by whom ``may_recommend`` allows, and shown to others only
    once the committee has published it (the queryset's ``_published``); the plenary outcome is recorded by who
    holds ``outcome_permission``."""

    #: The fields of the committee's recommendation, edited together through ``recommend``.
    recommendation_fields: tuple[str, ...]
    recommendation_title: str
    outcome_permission: str

    def may_recommend(self, user: AbstractBaseUser, proposal: Proposal) -> bool:
        raise NotImplementedError

    def published_committees(self) -> QuerySet[Committee]:
        """The committees whose published recommendation covers the row (``OuterRef`` to the proposal)."""
        raise NotImplementedError

    def recommend(self, request: HttpRequest, proposal: Proposal, data: dict) -> None:
        raise NotImplementedError

    def get_list_display(self, request):
        if may_see_unpublished_recommendations(request.user):
            return self.list_display
        return tuple("published_recommendation" if name == "recommendation" else name for name in self.list_display)

    def get_list_filter(self, request):
        if may_see_unpublished_recommendations(request.user):
            return self.list_filter
        return tuple(name for name in self.list_filter if name != "recommendation")  # a filter would reveal it

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_published=Exists(self.published_committees()))

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.fieldsets)
        if obj is None or may_see_unpublished_recommendations(request.user) or getattr(obj, "_published", False):
            fields = (*self.recommendation_fields, "recommended_by", "recommended_at")
            fieldsets.append((self.recommendation_title, {"fields": fields}))
        fieldsets.append((_("Plenary"), {"fields": PLENARY_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is None or not self.may_recommend(request.user, obj) or obj.status == Proposal.Status.WITHDRAWN:
            readonly += self.recommendation_fields
        if not request.user.has_perm(self.outcome_permission):
            readonly.append("outcome")
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return self.may_recommend(request.user, obj) or request.user.has_perm(self.outcome_permission)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if any(name in form.changed_data for name in self.recommendation_fields):
            self.recommend(request, obj, data)
        if "outcome" in form.changed_data:
            proposal_record_outcome(proposal=obj, outcome=data.get("outcome", ""), user=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # supporters are the proposer's, never changed here

    @admin.display(description=_("supporters"))
    def supporter_names(self, proposal: Proposal) -> str:
        return ", ".join(supporter.full_name for supporter in proposal.supporters.all()) or "–"


# --- Amendments --------------------------------------------------------------------------------------------------


class ProposerListFilter(admin.SimpleListFilter):
    title = _("proposed by")
    parameter_name = "proposer"

    def lookups(self, request, model_admin):
        return [(PROPOSED_BY_DELEGATES, _("a delegate")), (PROPOSED_BY_MEETING, _("a county meeting"))]

    def queryset(self, request, queryset):
        return amendments_by_proposer(queryset, self.value() or "")


class CommitteeListFilter(admin.SimpleListFilter):
    title = _("committee")
    parameter_name = "committee"

    def lookups(self, request, model_admin):
        return [
            (committee.pk, f"{committee} ({committee.congress})")
            for committee in Committee.objects.filter(kind=Committee.Kind.ORDINARY).select_related("congress")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(chapter__committees=self.value())
        return queryset


@admin.register(Amendment)
class AmendmentAdmin(ProposalAdmin):
    form = AmendmentAdminForm
    recommendation_fields = ("recommendation", "recommendation_text", "recommendation_reason", "merged_into")
    recommendation_title = _("The committee's recommendation")
    outcome_permission = "committees.record_outcome"
    list_display = (
        "number",
        "lines",
        "chapter",
        "kind",
        "proposer",
        "status",
        "recommendation",
        "outcome",
        "problems",
    )
    list_display_links = ("number",)
    list_filter = (
        ("document__congress", admin.RelatedOnlyFieldListFilter),
        CommitteeListFilter,
        ProposerListFilter,
        "status",
        "recommendation",
        "outcome",
        "range_problem",
        "kind",
    )
    list_select_related = (
        "document__congress",
        "chapter",
        "submitter",
        "submitter__organisation",
        "proposed_by_congress",
    )
    search_fields = (
        "text",
        "justification",
        "submitter__first_name",
        "submitter__last_name",
        "proposed_by_congress__name",
    )
    ordering = ("document", "line_from", "line_to", "number")
    fieldsets = (
        (None, {"fields": ("number", "document", "chapter", "kind", "lines", "status", "range_problem")}),
        (
            _("The proposal"),
            {
                "fields": (
                    "original_text",
                    "text",
                    "justification",
                    "proposer",
                    "forwarded_from_link",
                    "supporter_names",
                    "submitted_at",
                    "withdrawn_at",
                )
            },
        ),
    )
    readonly_fields = (
        "number",
        "document",
        "chapter",
        "kind",
        "lines",
        "original_text",
        "text",
        "justification",
        "proposer",
        "forwarded_from_link",
        *SUBMISSION_FIELDS,
        "range_problem",
        *DECISION_READONLY_FIELDS,
    )

    def may_recommend(self, user: AbstractBaseUser, proposal: Amendment) -> bool:
        return may_recommend_amendment(user, proposal)

    def published_committees(self) -> QuerySet[Committee]:
        return Committee.objects.filter(chapters=OuterRef("chapter"), recommendation_published=True)

    def recommend(self, request: HttpRequest, proposal: Amendment, data: dict) -> None:
        amendment_recommend(
            amendment=proposal,
            recommendation=data.get("recommendation", ""),
            text=data.get("recommendation_text", ""),
            reason=data.get("recommendation_reason", ""),
            merged_into=data.get("merged_into"),
            user=request.user,
        )

    def has_add_permission(self, request):
        return False  # amendments come from the delegates' personal pages

    def response_change(self, request, obj):
        committee = Committee.objects.filter(chapters=obj.chapter_id).first()
        if committee is not None and "_continue" not in request.POST:
            self.message_user(request, gettext("%(amendment)s was saved.") % {"amendment": obj}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("committees_staff:committee_work", args=[committee.pk]))
        return super().response_change(request, obj)

    def get_queryset(self, request):
        # No select_related here: the change list applies list_select_related only to a queryset without one.
        return super().get_queryset(request).filter(document__congress__in=congresses_visible_to(request.user))

    @admin.display(description=_("proposed by"))
    def proposer(self, amendment: Amendment) -> str:
        if amendment.proposer_organisation:
            return f"{amendment.proposer_label}, {amendment.proposer_organisation}"
        return amendment.proposer_label

    @admin.display(description=_("forwarded from"))
    def forwarded_from_link(self, amendment: Amendment) -> str:
        source = amendment.forwarded_from
        if source is None:
            return "–"
        label = gettext("Amendment %(number)d to %(document)s") % {
            "number": source.number,
            "document": source.document.title,
        }
        return format_html('<a href="{}">{}</a>', reverse("admin:committees_amendment_change", args=[source.pk]), label)

    @admin.display(description=_("congress"), ordering="document__congress")
    def congress(self, amendment: Amendment) -> str:
        return str(amendment.document.congress)

    @admin.display(description=_("lines"), ordering="line_from")
    def lines(self, amendment: Amendment) -> str:
        return amendment.lines_label

    published_recommendation = _published_recommendation_column(_("committee's recommendation"))

    @admin.display(description=_("problems"))
    def problems(self, amendment: Amendment) -> str:
        return amendment.get_range_problem_display() if amendment.range_problem else ""


# --- Statements --------------------------------------------------------------------------------------------------


@admin.register(Statement)
class StatementAdmin(ProposalAdmin):
    form = StatementAdminForm
    recommendation_fields = ("recommendation", "final_text", "recommendation_reason")
    recommendation_title = _("The drafting committee's recommendation")
    outcome_permission = "committees.record_statement_outcome"
    list_display = ("number", "title", "proposer", "supporter_count", "status", "recommendation", "outcome")
    list_display_links = ("number", "title")
    list_filter = (("congress", VisibleCongressFilter), "status", "proposer_kind", "recommendation", "outcome")
    list_select_related = ("congress", "submitter", "organisation")
    search_fields = ("title", "text", "proposer_name", "submitter__last_name")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    *STATEMENT_PROPOSAL_FIELDS,
                    "submitter",
                    "supporter_names",
                    "status",
                    "submitted_at",
                    "withdrawn_at",
                )
            },
        ),
    )
    readonly_fields = ("number", *STATEMENT_PROPOSAL_FIELDS, *SUBMISSION_FIELDS, *DECISION_READONLY_FIELDS)

    def may_recommend(self, user: AbstractBaseUser, proposal: Statement) -> bool:
        return may_recommend_statement(user, proposal)

    def published_committees(self) -> QuerySet[Committee]:
        return Committee.objects.filter(
            congress=OuterRef("congress"), kind=Committee.Kind.DRAFTING, recommendation_published=True
        )

    def recommend(self, request: HttpRequest, proposal: Statement, data: dict) -> None:
        statement_recommend(
            statement=proposal,
            recommendation=data.get("recommendation", ""),
            final_text=data.get("final_text", ""),
            reason=data.get("recommendation_reason", ""),
            user=request.user,
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(congress__in=congresses_visible_to(request.user))
        return queryset.annotate(_supporters=Count("supporters", distinct=True))

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the secretariat registers a statement that came by letter
            return [(None, {"fields": STATEMENT_PROPOSAL_FIELDS})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_secretariat(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = statement_register(
            congress=data["congress"],
            title=data["title"],
            text=data["text"],
            justification=data.get("justification", ""),
            proposer_kind=data["proposer_kind"],
            proposer_name=data.get("proposer_name", ""),
            organisation=data.get("organisation"),
            user=request.user,
        )
        obj.pk, obj.number = created.pk, created.number

    @admin.display(description=_("proposed by"))
    def proposer(self, statement: Statement) -> str:
        return statement.proposer_label

    @admin.display(description=_("supporters"), ordering="_supporters")
    def supporter_count(self, statement: Statement) -> int:
        return statement._supporters

    published_recommendation = _published_recommendation_column(_("drafting committee's recommendation"))
