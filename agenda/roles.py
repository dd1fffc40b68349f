"""Who takes part in a congress. Defined here so that both the programme (who is invited to an event) and the
delegates app (what role a participant has) speak of the same roles without delegates being imported upwards."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DELEGATE = "delegate", _("Delegate")
    DEPUTY = "deputy", _("Deputy")
    SAMFUNNSBEDRIFTENE_DELEGATE = "samfunnsbedriftene_delegate", _("Samfunnsbedriftene delegate")
    BOARD_MEMBER = "board_member", _("Executive board member")
    OBSERVER = "observer", _("Observer")
    GUEST = "guest", _("Guest")
    YOUTH_COUNCIL = "youth_council", _("Youth council member")
    CHIEF_EXECUTIVE = "chief_executive", _("Municipal chief executive")
    PRESS = "press", _("Press")
    STAFF = "staff", _("Staff")
