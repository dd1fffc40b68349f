from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: A regional office organises its own counties' meetings (``county_meetings.selectors`` narrows to them). It does not
#: add one in the admin: a meeting needs its congress, which only the secretariat creates there; the regional office's
#: own way in is ``services.county_meeting_create`` (its page is still to come, issue 16).
REGIONAL_OFFICE_PERMISSIONS = {
    "countymeeting": ("view", "change"),
    "meetingseat": ("view", "change"),
}


class CountyMeetingsConfig(AppConfig):
    name = "county_meetings"
    verbose_name = _("County meetings")

    def ready(self) -> None:
        from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_grant

        staff_groups_grant(
            "county_meetings", {SECRETARIAT_GROUP: None, REGIONAL_OFFICE_GROUP: REGIONAL_OFFICE_PERMISSIONS}
        )

        from agenda.selectors import congress_filter_register
        from county_meetings.selectors import congresses_of_other_offices_hidden

        congress_filter_register(congresses_of_other_offices_hidden)
