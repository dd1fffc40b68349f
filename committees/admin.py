"""Admin of the committee work. Thin: forms check, services write, selectors say who may do what.

- The secretariat sets up the document and the committees and records plenary outcomes.
- A committee secretary records the recommendations of their own committee only.
- Regional staff read; a recommendation is shown to them once the committee has published it.
"""

from django.contrib import admin, messages
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenda.admin import CongressAdmin
from committees.forms import AmendmentAdminForm, CommitteeAdminForm, StatementAdminForm
from committees.models import Amendment, Chapter, Committee, PoliticalDocument, Statement, StatementSettings
from committees.selectors import (
    committees_of_secretary,
    is_secretariat,
    may_recommend_amendment,
    may_recommend_statement,
    may_see_unpublished_recommendations,
)
from committees.services import (
    amendment_recommend,
    amendment_record_outcome,
    statement_recommend,
    statement_record_outcome,
    statement_register,
)

RECOMMENDATION_FIELDS = ("recommendation", "recommendation_text", "recommendation_reason", "merged_into")


def _sees_unpublished(request: HttpRequest) -> bool:
    return may_see_unpublished_recommendations(request.user)


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
class PoliticalDocumentAdmin(admin.ModelAdmin):
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agenda_item":
            document_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            document = PoliticalDocument.objects.filter(pk=document_id).first() if document_id else None
            if document is not None:
                kwargs["queryset"] = document.congress.agenda_items.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("committees_staff:document_load_new")


# --- Committees --------------------------------------------------------------------------------------------------


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    form = CommitteeAdminForm
    list_display = (
        "name",
        "congress",
        "kind",
        "chapter_list",
        "member_count",
        "chair",
        "secretary",
        "recommendation_published",
        "work_link",
    )
    list_filter = ("congress", "kind", "recommendation_published")
    list_select_related = ("congress", "chair", "secretary")
    filter_horizontal = ("chapters", "members")
    search_fields = ("name",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(_members=Count("members", distinct=True))
        queryset = queryset.prefetch_related("chapters")
        if is_secretariat(request.user) or request.user.has_perm("committees.change_committee"):
            return queryset
        secretary_of = committees_of_secretary(request.user)
        if secretary_of.exists():
            return queryset.filter(pk__in=secretary_of.values("pk"))
        return queryset

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


# --- Amendments --------------------------------------------------------------------------------------------------


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
class AmendmentAdmin(admin.ModelAdmin):
    form = AmendmentAdminForm
    list_display_links = ("number",)
    list_filter = (
        ("document__congress", admin.RelatedOnlyFieldListFilter),
        CommitteeListFilter,
        "status",
        "recommendation",
        "outcome",
        "range_problem",
        "kind",
    )
    list_select_related = ("document__congress", "chapter", "submitter", "submitter__organisation")
    search_fields = ("text", "justification", "submitter__first_name", "submitter__last_name")
    ordering = ("document", "line_from", "line_to", "number")
    readonly_fields = (
        "number",
        "document",
        "chapter",
        "kind",
        "lines",
        "original_text",
        "text",
        "justification",
        "submitter",
        "supporter_names",
        "status",
        "submitted_at",
        "withdrawn_at",
        "range_problem",
        "recommended_by",
        "recommended_at",
        "outcome_source",
        "outcome_recorded_by",
        "outcome_recorded_at",
    )

    def get_list_display(self, request):
        recommendation = "recommendation" if _sees_unpublished(request) else "published_recommendation"
        return (
            "number",
            "lines",
            "chapter",
            "kind",
            "submitter",
            "status",
            recommendation,
            "outcome",
            "problems",
            "congress",
        )

    def get_list_filter(self, request):
        if _sees_unpublished(request):
            return self.list_filter
        return tuple(name for name in self.list_filter if name != "recommendation")  # a filter would reveal it

    def get_queryset(self, request):
        published = Committee.objects.filter(chapters=OuterRef("chapter"), recommendation_published=True)
        return super().get_queryset(request).annotate(_published=Exists(published))

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("number", "document", "chapter", "kind", "lines", "status", "range_problem")}),
            (
                _("The proposal"),
                {
                    "fields": (
                        "original_text",
                        "text",
                        "justification",
                        "submitter",
                        "supporter_names",
                        "submitted_at",
                        "withdrawn_at",
                    )
                },
            ),
        ]
        if obj is None or _sees_unpublished(request) or getattr(obj, "_published", False):
            fieldsets.append(
                (
                    _("The committee's recommendation"),
                    {"fields": (*RECOMMENDATION_FIELDS, "recommended_by", "recommended_at")},
                )
            )
        fieldsets.append(
            (_("Plenary"), {"fields": ("outcome", "outcome_source", "outcome_recorded_by", "outcome_recorded_at")})
        )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is None or not may_recommend_amendment(request.user, obj) or obj.status == Amendment.Status.WITHDRAWN:
            readonly += RECOMMENDATION_FIELDS
        if not request.user.has_perm("committees.record_outcome"):
            readonly.append("outcome")
        return readonly

    def has_add_permission(self, request):
        return False  # amendments come from the delegates' personal pages

    def has_delete_permission(self, request, obj=None):
        return False  # a proposal is never lost: the proposer withdraws it, the plenary decides

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return may_recommend_amendment(request.user, obj) or request.user.has_perm("committees.record_outcome")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if any(name in form.changed_data for name in RECOMMENDATION_FIELDS):
            amendment_recommend(
                amendment=obj,
                recommendation=data.get("recommendation", ""),
                text=data.get("recommendation_text", ""),
                reason=data.get("recommendation_reason", ""),
                merged_into=data.get("merged_into"),
                user=request.user,
            )
        if "outcome" in form.changed_data:
            amendment_record_outcome(amendment=obj, outcome=data.get("outcome", ""), user=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # supporters are the proposer's, never changed here

    def response_change(self, request, obj):
        committee = Committee.objects.filter(chapters=obj.chapter_id).first()
        if committee is not None and "_continue" not in request.POST:
            self.message_user(request, gettext("%(amendment)s was saved.") % {"amendment": obj}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("committees_staff:committee_work", args=[committee.pk]))
        return super().response_change(request, obj)

    @admin.display(description=_("congress"), ordering="document__congress")
    def congress(self, amendment: Amendment) -> str:
        return str(amendment.document.congress)

    @admin.display(description=_("lines"), ordering="line_from")
    def lines(self, amendment: Amendment) -> str:
        return amendment.lines_label

    @admin.display(description=_("supporters"))
    def supporter_names(self, amendment: Amendment) -> str:
        return ", ".join(supporter.full_name for supporter in amendment.supporters.all()) or "–"

    @admin.display(description=_("committee's recommendation"), ordering="recommendation")
    def published_recommendation(self, amendment: Amendment) -> str:
        if amendment._published and amendment.recommendation:
            return amendment.get_recommendation_display()
        return "–"

    @admin.display(description=_("problems"))
    def problems(self, amendment: Amendment) -> str:
        return amendment.get_range_problem_display() if amendment.range_problem else ""


# --- Statements --------------------------------------------------------------------------------------------------

STATEMENT_RECOMMENDATION_FIELDS = ("recommendation", "final_text", "recommendation_reason")
STATEMENT_PROPOSAL_FIELDS = (
    "congress",
    "title",
    "text",
    "justification",
    "proposer_kind",
    "proposer_name",
    "organisation",
)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    form = StatementAdminForm
    list_display_links = ("number", "title")
    list_filter = ("congress", "status", "proposer_kind", "recommendation", "outcome")
    list_select_related = ("congress", "submitter", "organisation")
    search_fields = ("title", "text", "proposer_name", "submitter__last_name")
    autocomplete_fields = ()

    def get_list_display(self, request):
        recommendation = "recommendation" if _sees_unpublished(request) else "published_recommendation"
        return ("number", "title", "proposer", "supporter_count", "status", recommendation, "outcome")

    def get_list_filter(self, request):
        if _sees_unpublished(request):
            return self.list_filter
        return tuple(name for name in self.list_filter if name != "recommendation")

    def get_queryset(self, request):
        published = Committee.objects.filter(
            congress=OuterRef("congress"), kind=Committee.Kind.DRAFTING, recommendation_published=True
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_published=Exists(published), _supporters=Count("supporters", distinct=True))
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": STATEMENT_PROPOSAL_FIELDS})]
        fieldsets = [
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
        ]
        if _sees_unpublished(request) or obj._published:
            fieldsets.append(
                (
                    _("The drafting committee's recommendation"),
                    {"fields": (*STATEMENT_RECOMMENDATION_FIELDS, "recommended_by", "recommended_at")},
                )
            )
        fieldsets.append(
            (_("Plenary"), {"fields": ("outcome", "outcome_source", "outcome_recorded_by", "outcome_recorded_at")})
        )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        readonly = [
            "number",
            *STATEMENT_PROPOSAL_FIELDS,
            "submitter",
            "supporter_names",
            "status",
            "submitted_at",
            "withdrawn_at",
            "recommended_by",
            "recommended_at",
            "outcome_source",
            "outcome_recorded_by",
            "outcome_recorded_at",
        ]
        if not may_recommend_statement(request.user, obj) or obj.status == Statement.Status.WITHDRAWN:
            readonly += STATEMENT_RECOMMENDATION_FIELDS
        if not request.user.has_perm("committees.record_statement_outcome"):
            readonly.append("outcome")
        return readonly

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return may_recommend_statement(request.user, obj) or request.user.has_perm(
            "committees.record_statement_outcome"
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
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
            return
        if any(name in form.changed_data for name in STATEMENT_RECOMMENDATION_FIELDS):
            statement_recommend(
                statement=obj,
                recommendation=data.get("recommendation", ""),
                final_text=data.get("final_text", ""),
                reason=data.get("recommendation_reason", ""),
                user=request.user,
            )
        if "outcome" in form.changed_data:
            statement_record_outcome(statement=obj, outcome=data.get("outcome", ""), user=request.user)

    def save_related(self, request, form, formsets, change):
        pass

    @admin.display(description=_("proposed by"))
    def proposer(self, statement: Statement) -> str:
        return statement.proposer_label

    @admin.display(description=_("supporters"), ordering="_supporters")
    def supporter_count(self, statement: Statement) -> int:
        return statement._supporters

    @admin.display(description=_("supporters"))
    def supporter_names(self, statement: Statement) -> str:
        return ", ".join(supporter.full_name for supporter in statement.supporters.all()) or "–"

    @admin.display(description=_("drafting committee's recommendation"), ordering="recommendation")
    def published_recommendation(self, statement: Statement) -> str:
        if statement._published and statement.recommendation:
            return statement.get_recommendation_display()
        return "–"
