"""The evaluation survey behind the personal link (issue 17): the form, a draft kept between visits, the submission
and its receipt, and a page for every state in which there is nothing to answer.

Thin: the state comes from ``surveys.portal.state`` (on ``surveys.selectors``), the questions from
``selectors.questions_for``, and every write and every rule from ``surveys.services``; their refusals are shown by
the question they are keyed by (``services.question_field``). Everything is in the participant's language
(``personal_link_required``). The form works without JavaScript; ``static/js/survey-draft.js`` also saves the draft
in the background through ``draft`` (JSON) while the participant answers.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from delegates.models import PersonalLink
from delegates.portal.access import personal_link_required, portal_context
from surveys.portal import state as states
from surveys.portal.forms import SurveyForm
from surveys.portal.state import PortalSurvey, portal_survey
from surveys.selectors import questions_for
from surveys.services import survey_draft, survey_draft_save, survey_submit

#: The query string of the form after "Save and continue later" (the page then says the answers are kept).
SAVED = "lagret"


def _language() -> str:
    return translation.get_language() or "nb"


def _context(link: PersonalLink, token: str, found: PortalSurvey, **extra) -> dict:
    survey = found.survey
    language = _language()
    return portal_context(
        link,
        token,
        survey=survey,
        survey_state=found,
        survey_title=survey.title_in(language) if survey else "",
        survey_intro=survey.intro_in(language) if survey else "",
        **extra,
    )


def _state_page(request: HttpRequest, link: PersonalLink, token: str, found: PortalSurvey, *, status: int = 200):
    template = "surveys/portal/thanks.html" if found.state == states.ANSWERED else "surveys/portal/state.html"
    return TemplateResponse(request, template, _context(link, token, found, already=True), status=status)


# The survey's pages do not record when the link was last opened (``touch=False``): staff see that moment, and it would
# say when a participant answered.
@require_http_methods(["GET", "POST"])
@personal_link_required(touch=False)
def survey_form(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    found = portal_survey(participant)
    if found.state != states.OPEN:
        # Nothing to answer: a POST is refused (403) with the same page, which says why.
        return _state_page(request, link, token, found, status=403 if request.method == "POST" else 200)
    survey = found.survey
    questions = questions_for(survey, participant)
    if not questions:
        return TemplateResponse(
            request, "surveys/portal/state.html", _context(link, token, found, no_questions=True), status=200
        )
    form_kwargs = {"questions": questions, "language": _language()}
    status = 200
    if request.method == "POST":
        form = SurveyForm(request.POST, **form_kwargs)
        form.is_valid()
        submit = request.POST.get("action") == "submit"
        try:
            if submit:
                survey_submit(survey=survey, participant=participant, answers=form.answers())
            else:
                survey_draft_save(survey=survey, participant=participant, answers=form.answers())
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
            if submit:
                # Nothing is lost: the answers of a refused submission are kept as the draft, when they are well formed.
                with contextlib.suppress(ValidationError):
                    survey_draft_save(survey=survey, participant=participant, answers=form.answers())
        else:
            if submit:
                return redirect("surveys_portal:thanks", token=token)
            return redirect(f"{reverse('surveys_portal:form', args=[token])}?{SAVED}=1#survey-saved")
    else:
        form = SurveyForm(initial=survey_draft(survey, participant), **form_kwargs)
    context = _context(
        link,
        token,
        found,
        form=form,
        saved=request.method == "GET" and request.GET.get(SAVED) == "1",
        draft_url=reverse("surveys_portal:draft", args=[token]),
    )
    return TemplateResponse(request, "surveys/portal/form.html", context, status=status)


@require_POST
@personal_link_required(touch=False)
def survey_draft_autosave(request: HttpRequest, link: PersonalLink, token: str) -> JsonResponse:
    """The form's answers so far, kept in the background (``survey-draft.js``): ``{"saved": true}``, or the refusals
    keyed by question (400), or 409 when the survey takes no answers from this participant now."""
    participant = link.participant
    found = portal_survey(participant)
    if found.state != states.OPEN:
        return JsonResponse({"saved": False, "errors": {}}, status=409)
    form = SurveyForm(request.POST, questions=questions_for(found.survey, participant), language=_language())
    form.is_valid()
    try:
        survey_draft_save(survey=found.survey, participant=participant, answers=form.answers())
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    return JsonResponse({"saved": True})


@require_GET
@personal_link_required(touch=False)
def survey_thanks(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    found = portal_survey(link.participant)
    if found.state != states.ANSWERED:
        return redirect("surveys_portal:form", token=token)
    return TemplateResponse(request, "surveys/portal/thanks.html", _context(link, token, found))
