"""Reads of the county meetings, and who may see which: the regional office of the meeting's county, through the one
scoping rule of ``delegates.selectors``."""

from django.db.models import Q, QuerySet

from agenda.models import Congress
from county_meetings.models import CountyMeeting, MeetingSeat
from delegates.models import County, Organisation
from delegates.selectors import counties_visible_to, scope_to_user, user_sees_all_counties


def meeting_members(county: County) -> list[Organisation]:
    """The county's members of a county meeting: its municipalities and its county municipality (Oslo is both, one
    member), by number."""
    return list(
        Organisation.objects.filter(
            county=county,
            kind__in=[
                Organisation.Kind.MUNICIPALITY,
                Organisation.Kind.COUNTY_MUNICIPALITY,
                Organisation.Kind.MUNICIPALITY_AND_COUNTY,
            ],
        ).order_by("number")
    )


def meetings_visible_to(user) -> QuerySet[CountyMeeting]:
    """The county meetings ``user`` may see: all for the secretariat, a regional office's own counties' for it."""
    return scope_to_user(CountyMeeting.objects.select_related("congress", "county"), user)


def meeting_seats_visible_to(user) -> QuerySet[MeetingSeat]:
    return scope_to_user(
        MeetingSeat.objects.select_related("meeting__congress", "organisation"), user, county_path="meeting__county"
    )


def congresses_of_other_offices_hidden(user, queryset: QuerySet[Congress]) -> QuerySet[Congress]:
    """Registered with ``agenda.selectors.congress_filter_register``: a regional office sees the Landsting and its
    own counties' county meetings, never another office's (in every congress picker and the congresses' admin)."""
    if user_sees_all_counties(user):
        return queryset
    own = CountyMeeting.objects.filter(county__in=counties_visible_to(user)).values("congress_id")
    return queryset.exclude(Q(kind=Congress.Kind.COUNTY_MEETING) & ~Q(pk__in=own))
