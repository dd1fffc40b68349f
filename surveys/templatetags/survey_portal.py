"""``{% load survey_portal %}`` — the participant's evaluation survey on every portal page (the menu's item) and on
the portal's home page (the notice): ``{% portal_survey participant as survey_state %}``, see
``surveys.portal.state``."""

from django import template

from surveys.portal.state import PortalSurvey
from surveys.portal.state import portal_survey as _portal_survey

register = template.Library()


@register.simple_tag
def portal_survey(participant) -> PortalSurvey | None:
    return _portal_survey(participant)
