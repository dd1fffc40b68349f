from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: What the regional offices may do with the delegates' models (``delegates.selectors`` narrows it to their counties).
REGIONAL_OFFICE_PERMISSIONS = {
    "participant": ("view", "add", "change", "delete"),
    "registration": ("view",),
    "personallink": ("view",),
    "substitution": ("view", "add"),
    "countyholdback": ("view",),
    "organisation": ("view",),
    "county": ("view",),
    "seatallocation": ("view",),
    "registrationsettings": ("view",),
}


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates")

    def ready(self) -> None:
        from core.groups import REGIONAL_OFFICE_GROUP, SECRETARIAT_GROUP, staff_groups_grant

        staff_groups_grant("delegates", {SECRETARIAT_GROUP: None, REGIONAL_OFFICE_GROUP: REGIONAL_OFFICE_PERMISSIONS})

        # A mail with a personal link whose send was interrupted is sent again with a fresh link (core's outbox).
        from core.services import outbox_renewer_register
        from delegates.services.invitations import LINK_MAIL_KINDS, link_mail_renew

        outbox_renewer_register(purposes=LINK_MAIL_KINDS, renew=link_mail_renew)

        # The outbox shows what each mail is for in words ("Invitation", "New link"), not its code.
        from core.outbox_purposes import outbox_purpose_labels_register
        from delegates.models import MailText

        outbox_purpose_labels_register(dict(MailText.Kind.choices))
