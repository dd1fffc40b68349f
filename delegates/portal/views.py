"""The registration portal behind the personal link: parse, resolve the link, call a service, render.

Every page that carries the secret in its URL goes through ``personal_link_required``; every portal response
(including the bad-link pages and the lost-link form) gets ``portal_headers`` (see ``delegates.portal.access``).
"""

import contextlib
import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from agenda import ics
from agenda.models import AgendaDocument
from agenda.selectors import ProgrammeDay
from agenda.selectors import programme as programme_days
from core.client_ip import client_ip
from core.downloads import download_name, file_download
from core.forms import add_service_errors
from core.models import OutboxMail
from core.services import job_queue
from delegates.models import Participant, PersonalLink, Registration
from delegates.portal.access import personal_link_required, portal_context, portal_headers
from delegates.portal.forms import LostLinkForm, RegistrationForm, event_label, night_label
from delegates.selectors import allowed_hotel_nights, health_data_deletion_date, invited_events, registration_is_open
from delegates.services.links import personal_link_url
from delegates.services.participants import participant_language_set
from delegates.services.registration import registration_cancel, registration_save
from delegates.tasks import send_lost_link

logger = logging.getLogger(__name__)

# Lost-link requests: (how many, per how many seconds).
LOST_LINK_LIMIT_PER_IP = (5, 15 * 60)
LOST_LINK_LIMIT_PER_ADDRESS = (3, 60 * 60)


def _language() -> str:
    return translation.get_language() or "nb"


def _registration(participant: Participant) -> Registration | None:
    return Registration.objects.filter(participant=participant).prefetch_related("events").first()


def _summary(participant: Participant, registration: Registration | None, language: str) -> dict:
    """The answers in readable form, for the confirmation page, the read-only page and "my data"."""
    if registration is None:
        return {}
    return {
        "events": [event_label(event, language) for event in sorted(registration.events.all(), key=_event_order)],
        "hotel_nights": [night_label(datetime.date.fromisoformat(night)) for night in registration.hotel_nights],
    }


def _event_order(event):
    return (event.starts_at, event.title)


# --- Registration -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@personal_link_required
def home(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    congress = participant.congress
    language = _language()
    registration = _registration(participant)
    is_open = registration_is_open(participant)
    events = list(invited_events(participant).order_by("starts_at", "title"))
    nights = allowed_hotel_nights(congress)
    chosen_ids = [event.pk for event in registration.events.all()] if registration else []
    form_kwargs = {"events": events, "nights": nights, "language": language}
    status = 200

    if request.method == "POST" and not is_open:
        status = 403
        form = None
    elif request.method == "POST":
        form = RegistrationForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration_save(
                    participant=participant,
                    event_ids=data["events"],
                    hotel_nights=data["hotel_nights"],
                    diet=data["diet"] or "",
                    allergies=data["allergies"],
                    accessibility=data["accessibility"],
                    arrival=data["arrival"],
                    departure=data["departure"],
                    listed=data["listed"],
                    mobile=data["mobile"],
                    link_url=personal_link_url(token),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("portal:done", token=token)
        status = 400
    else:
        initial = RegistrationForm.initial_from(
            participant=participant, registration=registration, event_ids=chosen_ids, events=events
        )
        form = RegistrationForm(initial=initial, **form_kwargs) if is_open else None

    context = portal_context(
        link,
        token,
        form=form,
        registration=registration,
        summary=_summary(participant, registration, language),
        has_events=bool(events),
        health_deletion_date=health_data_deletion_date(congress),
        refused=status == 403,
    )
    return TemplateResponse(request, "delegates/portal/home.html", context, status=status)


@require_http_methods(["GET"])
@personal_link_required
def done(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    registration = _registration(participant)
    if registration is None or registration.status != Registration.Status.REGISTERED:
        return redirect("portal:home", token=token)
    language = _language()
    context = portal_context(
        link,
        token,
        registration=registration,
        summary=_summary(participant, registration, language),
        health_deletion_date=health_data_deletion_date(participant.congress),
    )
    return TemplateResponse(request, "delegates/portal/done.html", context)


# --- Cancelling ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@personal_link_required
def cancel(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    is_open = registration_is_open(participant)
    error, status = "", 200
    if request.method == "POST" and not is_open:
        status = 403  # the page says why; nothing is changed
    elif request.method == "POST":
        try:
            registration_cancel(participant=participant)
        except ValidationError as problem:
            error, status = " ".join(problem.messages), 400
        else:
            return redirect("portal:cancelled", token=token)
    context = portal_context(link, token, holds_seat=participant.has_voting_right, error=error, refused=status == 403)
    return TemplateResponse(request, "delegates/portal/cancel.html", context, status=status)


@require_http_methods(["GET"])
@personal_link_required
def cancelled(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    if link.participant.status != Participant.Status.WITHDRAWN:
        return redirect("portal:home", token=token)
    return TemplateResponse(request, "delegates/portal/cancelled.html", portal_context(link, token))


# --- Everything stored about you ------------------------------------------------------------------------------


def _history(participant: Participant) -> list[dict]:
    """Changes to the participant record, oldest first: when and which fields (no values of others, no staff)."""
    records = list(participant.history.order_by("history_date", "history_id"))
    labels = {field.attname: field.verbose_name for field in Participant._meta.concrete_fields}
    labels.update({field.name: field.verbose_name for field in Participant._meta.concrete_fields})
    rows, previous = [], None
    for record in records:
        if previous is None or record.history_type == "+":
            fields = []
            kind = "created"
        else:
            delta = record.diff_against(previous)
            fields = sorted({str(labels.get(change.field, change.field)) for change in delta.changes})
            kind = "changed"
        rows.append({"date": record.history_date, "kind": kind, "fields": fields})
        previous = record
    return rows


@require_http_methods(["GET"])
@personal_link_required
def my_data(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    registration = _registration(participant)
    context = portal_context(
        link,
        token,
        registration=registration,
        summary=_summary(participant, registration, _language()),
        acting_for=participant.acting_for.full_name if participant.acting_for_id else "",
        links=list(
            PersonalLink.objects.filter(participant=participant)
            .with_problem(at=timezone.now())
            .only("created_at", "expires_at", "revoked_at", "mailed_at", "first_opened_at", "last_opened_at")
            .order_by("-created_at")
        ),
        current_link_id=link.pk,
        mails=list(
            OutboxMail.objects.filter(related_participant_id=participant.pk)
            .only("created_at", "sent_at", "subject", "status", "to")
            .order_by("-created_at", "-id")
        ),
        history=_history(participant),
        health_deletion_date=health_data_deletion_date(participant.congress),
    )
    return TemplateResponse(request, "delegates/portal/my_data.html", context)


@require_http_methods(["POST"])
@personal_link_required
def language(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    """The language switch behind the link: the participant's language, of these pages and of the mails and letters
    sent to them, and (as the site's switch does) the browser's, for the pages without a participant. Back to the page
    it was chosen on."""
    with contextlib.suppress(ValidationError):  # not a language we have: nothing changes
        participant_language_set(participant=link.participant, language=request.POST.get("language", ""))
    next_url = request.POST.get("next", "")
    safe = {"allowed_hosts": {request.get_host()}, "require_https": request.is_secure()}
    if not url_has_allowed_host_and_scheme(next_url, **safe):
        next_url = reverse("portal:home", args=[token])
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        link.participant.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- Personal programme ----------------------------------------------------------------------------------------


def _programme_event_ids(participant: Participant, registration: Registration | None) -> tuple[set[int], set[int]]:
    """(the events in the personal programme, those of them the participant is registered for).

    The calendar holds the registered events; before registering, the events the participant is invited to; after
    cancelling, nothing.
    """
    if participant.status == Participant.Status.WITHDRAWN:
        return set(), set()
    invited = {event.pk for event in invited_events(participant)}
    if registration is not None and registration.status == Registration.Status.REGISTERED:
        registered = {event.pk for event in registration.events.all()}
        return invited | registered, registered
    return invited, set()


def _programme(
    participant: Participant, registration: Registration | None, *, calendar: bool = False
) -> tuple[list[ProgrammeDay], set[int]]:
    """(the days of the personal programme, the events the participant is registered for). Once registered, the
    ``calendar`` file holds only the registered events."""
    event_ids, registered_ids = _programme_event_ids(participant, registration)
    if calendar and registration is not None and registration.status == Registration.Status.REGISTERED:
        event_ids = registered_ids
    return programme_days(congress=participant.congress, language=_language(), event_ids=event_ids), registered_ids


@require_http_methods(["GET"])
@personal_link_required
def programme(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    registration = _registration(link.participant)
    days, registered_ids = _programme(link.participant, registration)
    context = portal_context(link, token, registration=registration, days=days, registered_ids=registered_ids)
    return TemplateResponse(request, "delegates/portal/programme.html", context)


@require_http_methods(["GET"])
@personal_link_required
def programme_ics(request: HttpRequest, link: PersonalLink, token: str) -> HttpResponse:
    participant = link.participant
    congress = participant.congress
    days, _registered_ids = _programme(participant, _registration(participant), calendar=True)
    entries = [entry for day in days for entry in day.entries]
    events = [
        ics.CalendarEvent(
            uid=f"event-{entry.event.pk}@ks-landsting",
            starts_at=entry.event.starts_at,
            ends_at=entry.event.ends_at,
            summary=entry.title,
            location=", ".join(part for part in (entry.event.venue, entry.event.room, congress.city) if part),
            description="\n".join(f"{row.item.number}. {row.title}" for row in entry.items),
        )
        for entry in entries
    ]
    body = ics.calendar(events, stamp=timezone.now(), name=congress.name)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="program.ics"'
    return response


@require_http_methods(["GET"])
@personal_link_required
def agenda_document(request: HttpRequest, link: PersonalLink, token: str, document_id: int) -> HttpResponse:
    """An agenda document of the participant's congress (linked from the programme), through the personal link."""
    document = get_object_or_404(AgendaDocument, pk=document_id, item__congress_id=link.participant.congress_id)
    return file_download(document.file, filename=download_name(document.title, document.file.name))


# --- Lost link ------------------------------------------------------------------------------------------------


def _hit(key: str, limit: tuple[int, int]) -> bool:
    """Count one request under ``key``; True while within the limit."""
    allowed, window = limit
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= allowed


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def lost_link_allowed(*, ip: str, email: str) -> bool:
    by_ip = _hit(f"portal:lost-link:ip:{_digest(ip)}", LOST_LINK_LIMIT_PER_IP)
    by_address = _hit(f"portal:lost-link:address:{_digest(email)}", LOST_LINK_LIMIT_PER_ADDRESS)
    return by_ip and by_address


@require_http_methods(["GET", "POST"])
@portal_headers
def lost_link(request: HttpRequest) -> HttpResponse:
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if lost_link_allowed(ip=client_ip(request), email=email):
            # A stored job: with the broker away the answer still comes at once, and the mail follows later.
            job_queue(task=send_lost_link, args=[email])  # mailed in the participant's language
        else:
            # Said in words: the limits count every request, for known and unknown addresses alike, so being over
            # one reveals nothing about the address. The links the participant holds keep working regardless.
            logger.info("Lost-link request over the rate limit")
            response = TemplateResponse(request, "delegates/portal/lost_link_limited.html", {}, status=429)
            response["Retry-After"] = str(LOST_LINK_LIMIT_PER_ADDRESS[1])
            return response
        # The same answer whether the address is known or unknown.
        return TemplateResponse(request, "delegates/portal/lost_link_sent.html", {})
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "delegates/portal/lost_link.html",
        {"form": form, "form_action": reverse("portal:lost_link")},
        status=status,
    )
