from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: A regional office organises its own counties' meetings (``county_meetings.selectors`` narrows to them). It does not
#: add one in the admin: a meeting needs its congress, which only the secretariat creates there; the regional office's
#: own way in is ``services.county_meeting_create`` (its page is still to come, issue 16).
REGIONAL_OFFICE_PERMISSIONS = {
    "countymeeting": ("view", "change"),
    "meetingseat": ("view", "change"),
    # The members' reports: sent, reminded, entered and corrected on a member's behalf (report_views.py).
    "memberreport": ("view", "change"),
    "reportedperson": ("view", "change"),
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

        from county_meetings import demo
        from delegates.demo import demo_resetting, demo_seeded

        demo_resetting.connect(demo.reset, dispatch_uid="county_meetings_demo_reset")
        demo_seeded.connect(demo.seed, dispatch_uid="county_meetings_demo")

        # The members' report links: labelled in the outbox, and sent again with a fresh link after an interrupted send.
        from core.outbox_purposes import outbox_purpose_labels_register
        from core.services import outbox_renewer_register
        from county_meetings.reports import MAIL_PURPOSES, report_link_mail_renew

        outbox_purpose_labels_register(MAIL_PURPOSES)
        outbox_renewer_register(purposes=list(MAIL_PURPOSES), renew=report_link_mail_renew)
