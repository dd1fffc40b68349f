"""Admin of the elections: the secretariat sets up elections, candidates and the members by virtue of office; the
polls are read only here (they are run on the officials' desk, ``elections.staff_views``).

Ballots, votes cast and the eligible voters are not in the admin at all: nobody changes a ballot, and no page joins a
voter to a vote.

Every admin here shows, offers and changes only what belongs to a congress whose elections the user manages
(``elections.selectors.election_congresses_managed_by``): the secretariat and the election officials every congress they
see, a regional office its own counties' county meetings. That covers the lists, their filters, the objects found by
id (another's is "not found"), the choices of congress, election, agenda item and participant, and the add, change and
delete permissions of an object.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenda.models import AgendaItem
from agenda.staff import AgendaItemsOfItsCongressMixin
from core.staff import ReadOnlyAdminMixin, edited_object
from elections.models import AutomaticMember, Candidate, Election, LotDrawing, PaperCount, Poll, SignOff, VoteCast
from elections.results import result_view
from elections.selectors import (
    candidates_managed_by,
    election_congresses_managed_by,
    elections_managed_by,
    participants_for_candidacy,
    polls_managed_by,
)


def _managed_congress_ids(request) -> set[int]:
    """The ids of the congresses whose elections the user manages, read once per request."""
    cached = getattr(request, "_election_congress_ids", None)
    if cached is None:
        cached = set(election_congresses_managed_by(request.user).values_list("pk", flat=True))
        request._election_congress_ids = cached
    return cached


class OfManagedCongressMixin:
    """For a ``ModelAdmin`` or an inline whose objects belong to a congress (``congress_of(obj)``): an object of a
    congress the user does not manage may be neither seen, changed nor deleted, and one is added only to an object of
    a congress the user manages."""

    def congress_of(self, obj) -> int | None:
        return obj.congress_id

    def _manages(self, request, obj) -> bool:
        return obj is None or self.congress_of(obj) in _managed_congress_ids(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request, obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, *args):
        # A ModelAdmin's has_add_permission(request); an inline's (request, obj), obj being the parent.
        parent = args[0] if args else None
        return self._manages(request, parent) and super().has_add_permission(request, *args)


# --- Elections and candidates -----------------------------------------------------------------------------------


class ElectionAdminForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = ("congress", "title", "office", "seats", "method", "max_choices", "position", "agenda_item")

    def clean(self):
        data = super().clean()
        method, seats, max_choices = data.get("method"), data.get("seats"), data.get("max_choices")
        if method == Election.Method.SINGLE_MAJORITY and seats not in (None, 1):
            self.add_error(
                "seats",
                _(
                    "An election by absolute majority has one seat. For %(seats)d seats choose “several seats, the "
                    "most votes win”."
                )
                % {"seats": seats},
            )
        if max_choices is not None:
            if max_choices < 1:
                self.add_error("max_choices", _("A ballot must be allowed to name at least one candidate."))
            elif method == Election.Method.SINGLE_MAJORITY and max_choices != 1:
                self.add_error(
                    "max_choices",
                    _("In an election by absolute majority a ballot names one candidate; leave it empty."),
                )
        if self.instance.pk and self.instance.polls.exists():
            for field in ("seats", "method", "max_choices"):
                if field in self.changed_data:
                    self.add_error(
                        field,
                        _("The vote of this election has been created; its seats and method can no longer change."),
                    )
        return data


CANDIDATE_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "party",
    "county",
    "organisation",
    "participant",
    "proposed_by",
    "position",
)


class KeepsCandidatesWhoStoodMixin:
    def has_delete_permission(self, request, obj=None):
        # A candidate who stood in a vote stays: the result names them. obj is the candidate, or in the inline the
        # election, whose candidates all stood once it has a vote.
        if obj is not None and obj.polls.exists():
            return False
        return super().has_delete_permission(request, obj)


class CandidateInline(OfManagedCongressMixin, KeepsCandidatesWhoStoodMixin, admin.TabularInline):
    model = Candidate
    fields = CANDIDATE_FIELDS
    extra = 0
    # Searched as typed: a select of every organisation or participant in each row would make a long page heavy.
    autocomplete_fields = ("organisation", "participant")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "participant":
            kwargs["queryset"] = _participants(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AutomaticMemberInline(OfManagedCongressMixin, admin.TabularInline):
    model = AutomaticMember
    fields = ("name", "reason", "gender", "party", "county")
    extra = 0


def _participants(request):
    """The participants of the election's congress (on its change page), otherwise of every congress the user
    manages."""
    election = edited_object(request, elections_managed_by(request.user))
    return participants_for_candidacy(request.user, congress_id=election.congress_id if election else None)


@admin.register(Election)
class ElectionAdmin(OfManagedCongressMixin, AgendaItemsOfItsCongressMixin, admin.ModelAdmin):
    form = ElectionAdminForm
    change_list_template = "admin/elections/change_list_with_desk.html"
    # The desk's link next to the title, so it is never off-screen.
    list_display = ("title", "desk_link", "congress", "office", "seats", "method", "candidate_count", "poll_state")
    # Only the congresses of the elections listed: another office's meetings are not named in the filter.
    list_filter = (("congress", admin.RelatedOnlyFieldListFilter), "office")
    list_select_related = ("congress",)
    search_fields = ("title",)
    inlines = [CandidateInline, AutomaticMemberInline]

    def get_queryset(self, request):
        latest_state = Poll.objects.filter(election=OuterRef("pk")).order_by("-round", "-pk").values("state")[:1]
        return elections_managed_by(request.user, super().get_queryset(request)).annotate(
            _candidates=Count("candidates", distinct=True), _poll_state=Subquery(latest_state)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "congress":
            kwargs["queryset"] = election_congresses_managed_by(request.user).order_by("-first_day", "-pk")
        if db_field.name == "agenda_item" and edited_object(request, self.model.objects.all()) is None:
            # The add page: the items of the congresses the user manages (a change page: its congress's, the mixin).
            kwargs["queryset"] = AgendaItem.objects.filter(
                congress__in=election_congresses_managed_by(request.user)
            ).order_by("congress", "number")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each checked for votes
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.polls.exists():
            return False  # its votes (and their ballots) would go with it
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("candidates"), ordering="_candidates")
    def candidate_count(self, election: Election) -> int:
        return election._candidates

    @admin.display(description=_("vote"))
    def poll_state(self, election: Election) -> str:
        if not election._poll_state:
            return gettext("not created")
        return Poll.State(election._poll_state).label

    @admin.display(description=_("officials' desk"))
    def desk_link(self, election: Election) -> str:
        url = reverse("elections_staff:desk") + f"?congress={election.congress_id}#election-{election.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Open"))


@admin.register(Candidate)
class CandidateAdmin(OfManagedCongressMixin, KeepsCandidatesWhoStoodMixin, admin.ModelAdmin):
    """For officials adding a candidate proposed from the floor, and a regional office entering its county meeting's
    candidates, without changing the election itself."""

    list_display = ("full_name", "election", "gender", "party", "county", "proposed_by")
    list_filter = (
        ("election__congress", admin.RelatedOnlyFieldListFilter),
        ("election", admin.RelatedOnlyFieldListFilter),
        "proposed_by",
    )
    list_select_related = ("election", "county")
    search_fields = ("first_name", "last_name", "party")
    fields = ("election", *CANDIDATE_FIELDS)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, candidate: Candidate) -> str:
        return candidate.full_name

    def congress_of(self, candidate: Candidate) -> int | None:
        return candidate.election.congress_id

    def get_queryset(self, request):
        return candidates_managed_by(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return ("election",) if obj is not None else ()

    def get_changeform_initial_data(self, request):
        """The add page from a list filtered by one election (the county meeting's page links to it) starts with that
        election chosen."""
        initial = super().get_changeform_initial_data(request)
        if "election" not in initial:
            filters = QueryDict(request.GET.get("_changelist_filters", ""))
            if (election := filters.get("election__id__exact", "")).isdigit():
                initial["election"] = election
        return initial

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "participant":
            candidate = edited_object(request, candidates_managed_by(request.user).select_related("election"))
            kwargs["queryset"] = participants_for_candidacy(
                request.user, congress_id=candidate.election.congress_id if candidate else None
            )
        if db_field.name == "election":
            kwargs["queryset"] = elections_managed_by(request.user).select_related("congress")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Polls: read only -----------------------------------------------------------------------------------------


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        # Shown to whoever may read the poll (the officials' group has no permissions on these models).
        return request.user.has_perm("elections.view_poll")


class LotDrawingInline(_ReadOnlyInline):
    model = LotDrawing
    fields = ("tied_names", "winner_names", "drawn_by", "witnesses", "recorded_by", "recorded_at")
    readonly_fields = fields

    @admin.display(description=_("tied candidates"))
    def tied_names(self, drawing: LotDrawing) -> str:
        return _candidate_names(drawing.poll, (drawing.tied or {}).get("candidates", []))

    @admin.display(description=_("drawn"))
    def winner_names(self, drawing: LotDrawing) -> str:
        return _candidate_names(drawing.poll, drawing.winners)


class SignOffInline(_ReadOnlyInline):
    model = SignOff
    fields = ("user", "signed_at")
    readonly_fields = fields


class PaperCountInline(_ReadOnlyInline):
    model = PaperCount
    fields = ("counts", "blank", "rejected", "entered_by", "entered_at")
    readonly_fields = fields


def _candidate_names(poll: Poll, ids) -> str:
    names = {candidate.pk: candidate.full_name for candidate in poll.candidates.all()}
    return ", ".join(names.get(pk, str(pk)) for pk in ids)


@admin.register(Poll)
class PollAdmin(OfManagedCongressMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: polls are created and run on the officials' desk, through the services."""

    change_list_template = "admin/elections/change_list_with_desk.html"

    # The desk's link next to the title, so it is never off-screen.
    list_display = ("title", "desk_link", "congress", "kind", "mode", "state", "eligible_count", "voted", "outcome")
    list_filter = (("congress", admin.RelatedOnlyFieldListFilter), "state", "kind", "mode")
    list_select_related = ("congress", "election")
    search_fields = ("title",)
    fields = (
        "title",
        "congress",
        "election",
        "kind",
        "mode",
        "state",
        "round",
        "runoff_of",
        "seats",
        "max_choices",
        "majority",
        "subject_label",
        "candidate_list",
        "eligible_count",
        "voted",
        "opened_at",
        "opened_by",
        "closed_at",
        "closed_by",
        "published_at",
        "published_by",
        "result_display",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        voted = (
            VoteCast.objects.filter(poll=OuterRef("pk"))
            .order_by()
            .values("poll")
            .annotate(total=Count("pk"))
            .values("total")[:1]
        )
        return (
            polls_managed_by(request.user, super().get_queryset(request))
            .annotate(_voted=Subquery(voted))
            .prefetch_related(
                Prefetch(
                    "candidates",
                    queryset=Candidate.objects.select_related("county", "organisation").order_by(
                        "position", "last_name"
                    ),
                )
            )
        )

    def get_inlines(self, request, obj):
        if obj is not None and obj.mode == Poll.Mode.PAPER:
            return [PaperCountInline, LotDrawingInline, SignOffInline]
        return [LotDrawingInline, SignOffInline]

    @admin.display(description=_("voted"))
    def voted(self, poll: Poll):
        if poll.result and poll.result.get("voted") is not None:
            return poll.result["voted"]
        if poll.state == Poll.State.DRAFT:
            return "–"
        return poll._voted or 0

    @admin.display(description=_("outcome"))
    def outcome(self, poll: Poll) -> str:
        view = result_view(poll, candidates=list(poll.candidates.all())) if poll.result else None
        return view.outcome if view else "–"

    @admin.display(description=_("candidates"))
    def candidate_list(self, poll: Poll) -> str:
        return format_html_join(", ", "{}", ((candidate.full_name,) for candidate in poll.candidates.all())) or "–"

    @admin.display(description=_("result"))
    def result_display(self, poll: Poll) -> str:
        view = result_view(poll, candidates=list(poll.candidates.all())) if poll.result else None
        if view is None:
            return "–"
        return render_to_string("admin/elections/includes/result.html", {"view": view, "poll": poll})

    @admin.display(description=_("officials' desk"))
    def desk_link(self, poll: Poll) -> str:
        return format_html('<a href="{}">{}</a>', reverse("elections_staff:poll", args=[poll.pk]), gettext("Open"))
