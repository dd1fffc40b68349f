"""Issue 16, part 5: a county meeting's adopted amendments reach the Landsting's draft as the meeting's proposals.

The service (``committees.services.amendments_forward``), where the secretariat sees them (lists, committee work
page, PDFs, admin, the delegates' pages, the plenary's minutes), the staff page with its dry run, and who may use it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from committees import printing
from committees.models import Amendment, PoliticalDocument
from committees.selectors import forwarding_plan
from committees.services import amendment_recommend, amendment_withdraw, amendments_forward, proposal_record_outcome
from core.groups import staff_groups_ensure
from county_meetings.models import CountyMeeting
from tests.committees.factories import SAMPLE_DOCUMENT, CommitteeFactory, chapter_of, delegate, load_document
from tests.committees.factories import submit_amendment as submit
from tests.factories import (
    CongressFactory,
    CountyFactory,
    RegionalOfficeFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    regional_staff_user,
)
from tests.helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

MEETING = "Fylkesmøtet i Finnmark 2023"
#: The Landsting's draft with a new first paragraph: every line of the sample document moves down by one.
SHIFTED_DOCUMENT = SAMPLE_DOCUMENT.replace(
    "## Lokaldemokrati og tillit\n\n", "## Lokaldemokrati og tillit\n\nEn ny innledning fra hovedstyret.\n\n"
)
#: The Landsting's draft where the paragraph about young people (lines 6 to 7) was rewritten.
REWRITTEN_DOCUMENT = SAMPLE_DOCUMENT.replace("KS vil arbeide for at flere unge", "KS skal arbeide for at mange unge")


@pytest.fixture
def meeting():
    """Finnmark's county meeting (of its own regional office), with the sample document open for amendments, and the
    Landsting 2024 (the current one) with its own draft to be loaded by each test."""
    staff_groups_ensure()
    office = RegionalOfficeFactory(name="KS Nord")
    county = CountyFactory(name="Finnmark", regional_office=office)
    congress = CongressFactory(
        name=MEETING,
        year=2023,
        kind="county_meeting",
        first_day=datetime.date(2023, 11, 7),
        last_day=datetime.date(2023, 11, 8),
        registration_deadline=datetime.date(2023, 10, 20),
    )
    CountyMeeting.objects.create(congress=congress, county=county, election_year=2023, seats=30)
    landsting = CongressFactory(name="Landstinget 2024")
    return {
        "office": office,
        "congress": congress,
        "source": load_document(congress),
        "landsting": landsting,
        "author": delegate(congress),
    }


def landsting_document(meeting, text=SAMPLE_DOCUMENT, **kwargs) -> PoliticalDocument:
    return load_document(meeting["landsting"], text=text, **kwargs)


def adopted(meeting, *, outcome="adopted", committee_text="", **kwargs) -> Amendment:
    """An amendment to the meeting's document with the meeting's outcome on it."""
    amendment = submit(meeting["source"], meeting["author"], **kwargs)
    if committee_text:
        amendment = amendment_recommend(
            amendment=amendment, recommendation="adopt_amended", text=committee_text, user=None
        )
    if outcome:
        amendment = proposal_record_outcome(proposal=amendment, outcome=outcome, user=None)
    return amendment


def forward(meeting, target, **kwargs) -> list[Amendment]:
    return amendments_forward(source=meeting["source"], target=target, user=None, **kwargs)


# --- The service -------------------------------------------------------------------------------------------------


def test_adopted_amendments_become_the_meetings_proposals_with_the_same_lines_in_the_same_draft(meeting):
    target = landsting_document(meeting)
    first = adopted(meeting, line_from=6, line_to=7, text="KS vil særlig arbeide for unge folkevalgte.")
    second = adopted(meeting, chapter=2, kind="delete", line_from=10, line_to=10, text="")

    forwarded = forward(meeting, target)

    assert [(a.number, a.line_from, a.line_to, a.kind) for a in forwarded] == [
        (1, 6, 7, "replace"),
        (2, 10, 10, "delete"),
    ]
    copy = Amendment.objects.get(forwarded_from=first)
    assert copy.document == target
    assert copy.proposed_by_congress == meeting["congress"]
    assert copy.submitter is None
    assert copy.proposer_label == MEETING
    assert copy.text == "KS vil særlig arbeide for unge folkevalgte."
    assert copy.original_text == first.original_text
    assert copy.chapter == chapter_of(target, 1)
    assert copy.justification == first.justification
    assert Amendment.objects.get(forwarded_from=second).chapter == chapter_of(target, 2)


def test_the_text_as_the_meetings_committee_amended_it_is_forwarded(meeting):
    target = landsting_document(meeting)
    source = adopted(
        meeting, text="Forslagsstillerens tekst.", committee_text="Komiteens tekst.", outcome="adopted_amended"
    )

    (copy,) = forward(meeting, target)

    assert source.text == "Forslagsstillerens tekst."
    assert copy.text == "Komiteens tekst."


def test_amendments_the_meeting_did_not_adopt_are_not_forwarded(meeting):
    target = landsting_document(meeting)
    adopted(meeting, outcome="rejected", line_from=1, line_to=2)
    adopted(meeting, outcome="", line_from=3, line_to=4)
    adopted(meeting, outcome="withdrawn", chapter=2, line_from=8, line_to=9)
    withdrawn = submit(meeting["source"], meeting["author"], chapter=3, line_from=13, line_to=13)
    amendment_withdraw(amendment=withdrawn, participant=meeting["author"])
    kept = adopted(meeting, line_from=6, line_to=7)

    forwarded = forward(meeting, target)

    assert [a.forwarded_from_id for a in forwarded] == [kept.pk]
    assert forwarding_plan(source=meeting["source"], target=target).not_adopted == 3  # the withdrawn one is not counted


def test_forwarding_twice_forwards_nothing_twice(meeting):
    target = landsting_document(meeting)
    adopted(meeting, line_from=6, line_to=7)
    forward(meeting, target)

    assert forward(meeting, target) == []
    assert Amendment.objects.filter(document=target).count() == 1
    later = adopted(meeting, chapter=3, line_from=13, line_to=13)
    (copy,) = forward(meeting, target)
    assert copy.forwarded_from == later
    assert copy.number == 2


def test_the_database_forwards_an_amendment_once(meeting):
    target = landsting_document(meeting)
    adopted(meeting, line_from=6, line_to=7)
    (copy,) = forward(meeting, target)

    copy.pk = None
    copy.number = 99
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_forwarded_amendments_take_the_next_numbers_of_the_landstings_document(meeting):
    target = landsting_document(meeting)
    landsting_delegate = delegate(meeting["landsting"])
    submit(target, landsting_delegate, line_from=1, line_to=1)
    submit(target, landsting_delegate, line_from=2, line_to=2)
    adopted(meeting, line_from=6, line_to=7)
    adopted(meeting, chapter=2, line_from=8, line_to=9)

    assert [a.number for a in forward(meeting, target)] == [3, 4]


def test_lines_are_found_by_their_words_when_the_landstings_draft_moved_them(meeting):
    target = landsting_document(meeting, text=SHIFTED_DOCUMENT)
    adopted(meeting, line_from=6, line_to=7, text="Ny tekst om unge.")
    adopted(meeting, chapter=2, kind="new_paragraph", line_from=9, line_to=9, text="Et nytt avsnitt.")

    plan = forwarding_plan(source=meeting["source"], target=target)
    forwarded = forward(meeting, target)

    assert [item.placed for item in plan.items] == ["found_by_text", "found_by_text"]
    assert [(a.line_from, a.line_to) for a in forwarded] == [(7, 8), (10, 10)]
    assert forwarded[0].original_text.startswith("KS vil arbeide for at flere unge")


def test_an_amendment_whose_words_are_gone_refuses_the_whole_forwarding_with_the_reason(meeting):
    target = landsting_document(meeting, text=REWRITTEN_DOCUMENT)
    adopted(meeting, line_from=6, line_to=7)
    adopted(meeting, chapter=3, line_from=13, line_to=13)

    with pytest.raises(ValidationError) as refused:
        forward(meeting, target)

    messages = refused.value.messages
    assert messages[0].startswith("Nothing was forwarded")
    assert "Amendment 1 (lines 6–7): the text it changes is not in the Landsting's document" in messages[1]
    assert len(messages) == 2
    assert not Amendment.objects.filter(document=target).exists()


def test_the_amendments_shown_with_problems_can_be_left_out_and_the_rest_forwarded(meeting):
    target = landsting_document(meeting, text=REWRITTEN_DOCUMENT)
    adopted(meeting, line_from=6, line_to=7)
    fits = adopted(meeting, chapter=3, line_from=13, line_to=13)

    (copy,) = forward(meeting, target, leave_out=[1])

    assert copy.forwarded_from == fits
    assert (copy.line_from, copy.line_to) == (13, 13)


def test_words_found_in_several_places_are_refused_as_unclear(meeting):
    duplicated = SHIFTED_DOCUMENT.replace(
        "Kommunesektoren er landets største arbeidsgiver.",
        "- Nye oppgaver skal være fullfinansiert.\n\nKommunesektoren er landets største arbeidsgiver.",
    )
    target = landsting_document(meeting, text=duplicated)
    adopted(meeting, chapter=2, kind="delete", line_from=10, line_to=10, text="")

    with pytest.raises(ValidationError) as refused:
        forward(meeting, target)

    assert "more than once (lines 11, 14)" in " ".join(refused.value.messages)


def test_forwarding_after_the_landstings_deadline_is_refused_as_for_delegates(meeting):
    target = landsting_document(meeting)
    adopted(meeting, line_from=6, line_to=7)
    PoliticalDocument.objects.filter(pk=target.pk).update(amendment_deadline=datetime.date(2024, 1, 10))
    target.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        forward(meeting, target)
    assert refused.value.messages == [
        f"The deadline for amendments to {target.title} was 10 January 2024; the county meeting's amendments can no"
        " longer be forwarded."
    ]
    # The deadline is open through that day, Oslo time, as for the delegates (core.deadlines).
    last_moment = datetime.datetime(2024, 1, 10, 23, 59, tzinfo=datetime.UTC) - datetime.timedelta(hours=1)
    assert len(forward(meeting, target, now=last_moment)) == 1


def test_forwarding_to_a_document_not_yet_open_for_amendments_is_refused(meeting):
    target = landsting_document(meeting, open_for_days=None)
    adopted(meeting, line_from=6, line_to=7)

    with pytest.raises(ValidationError, match="is not open for amendments yet"):
        forward(meeting, target)


def test_forwarding_goes_from_a_county_meeting_to_a_landsting_only(meeting):
    target = landsting_document(meeting)
    adopted(meeting, line_from=6, line_to=7)

    other_meeting = load_document(CongressFactory(name="Fylkesmøtet i Troms 2023", kind="county_meeting"))

    with pytest.raises(ValidationError, match="forwarded to a Landsting's political document only"):
        amendments_forward(source=meeting["source"], target=other_meeting, user=None)
    with pytest.raises(ValidationError, match="forwarded to a Landsting's political document only"):
        amendments_forward(source=meeting["source"], target=meeting["source"], user=None)
    with pytest.raises(ValidationError, match="Only a county meeting's amendments"):
        amendments_forward(source=target, target=target, user=None)
    assert not Amendment.objects.filter(proposed_by_congress__isnull=False).exists()


def test_no_delegate_can_withdraw_the_meetings_proposal(meeting):
    target = landsting_document(meeting)
    adopted(meeting, line_from=6, line_to=7)
    (copy,) = forward(meeting, target)

    with pytest.raises(ValidationError, match=f"{MEETING} proposed this amendment; no delegate can withdraw it."):
        amendment_withdraw(amendment=copy, participant=delegate(meeting["landsting"]))


@pytest.mark.parametrize("proposers", ["neither", "both"])
def test_an_amendment_has_exactly_one_proposer_in_the_database(meeting, proposers):
    target = landsting_document(meeting)
    amendment = submit(target, delegate(meeting["landsting"]))
    update = {"submitter": None} if proposers == "neither" else {"proposed_by_congress": meeting["congress"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.filter(pk=amendment.pk).update(**update)


def test_only_a_meetings_proposal_is_forwarded_from_another_amendment(meeting):
    target = landsting_document(meeting)
    source = adopted(meeting, line_from=6, line_to=7)
    amendment = submit(target, delegate(meeting["landsting"]))
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.filter(pk=amendment.pk).update(forwarded_from=source)


# --- Where the secretariat and the delegates see them ---------------------------------------------------------------


@pytest.fixture
def forwarded(meeting):
    """The Landsting's draft with a delegate's amendment (1) and the meeting's forwarded one (2), both in chapter 1,
    which the Landsting's committee handles."""
    target = landsting_document(meeting)
    submit(target, delegate(meeting["landsting"], first_name="Delegat", last_name="Landsting"), line_from=1, line_to=2)
    adopted(meeting, line_from=6, line_to=7, text="Fylkesmøtets tekst.")
    (copy,) = forward(meeting, target)
    committee = CommitteeFactory(congress=meeting["landsting"], name="Komité for lokaldemokrati")
    committee.chapters.set([chapter_of(target, 1)])
    return {**meeting, "target": target, "copy": copy, "committee": committee}


def test_the_committee_work_page_shows_the_meeting_as_proposer_and_filters_by_proposer(client, forwarded):
    client.force_login(SecretariatUserFactory())
    url = reverse("committees_staff:committee_work", args=[forwarded["committee"].pk])

    page = client.get(url).content.decode()
    only_meetings = client.get(url, {"proposer": "meeting"}).content.decode()
    only_delegates = client.get(url, {"proposer": "delegates"}).content.decode()

    assert MEETING in page and "Delegat Landsting" in page
    assert 'id="amendment-2"' in only_meetings and 'id="amendment-1"' not in only_meetings
    assert MEETING in only_meetings
    assert 'id="amendment-1"' in only_delegates and 'id="amendment-2"' not in only_delegates


def test_the_amendment_admin_shows_the_meeting_and_filters_by_proposer(client, forwarded):
    client.force_login(SecretariatUserFactory())
    changelist = reverse("admin:committees_amendment_changelist")

    meetings = client.get(changelist, {"proposer": "meeting"}).content.decode()
    delegates = client.get(changelist, {"proposer": "delegates"}).content.decode()
    change = client.get(reverse("admin:committees_amendment_change", args=[forwarded["copy"].pk])).content.decode()

    meeting_cell = f'<td class="field-proposer">{MEETING}</td>'
    assert meeting_cell in meetings and "Delegat Landsting" not in meetings
    assert "Delegat Landsting" in delegates and meeting_cell not in delegates
    assert MEETING in change
    assert f"Amendment 1 to {forwarded['source'].title}" in change


def test_the_pdfs_name_the_meeting_as_proposer(forwarded):
    recommendation, _pages = printing.render_committee_recommendation(forwarded["committee"], language="en")
    voting_list, _pages = printing.render_voting_list(forwarded["target"], language="en")

    assert MEETING in pdf_text(recommendation)
    assert MEETING in pdf_text(voting_list)


def test_the_plenary_minutes_name_the_meeting_as_proposer(forwarded):
    from plenary.printing import render_minutes

    minutes, _pages = render_minutes(forwarded["landsting"], language="en")

    assert MEETING in pdf_text(minutes)


def test_the_delegates_see_the_meetings_proposal_but_not_as_their_own(client, forwarded):
    from delegates.services.links import personal_link_issue

    me = delegate(forwarded["landsting"])
    _link, token = personal_link_issue(participant=me)

    listing = client.get(reverse("committees_portal:amendments", args=[token])).content.decode()
    page = client.get(reverse("committees_portal:amendment", args=[token, 2])).content.decode()
    withdraw = client.post(reverse("committees_portal:amendment_withdraw", args=[token, 2]))

    assert MEETING in listing
    assert "You have not proposed any amendments." in listing
    assert MEETING in page and "(you)" not in page
    assert withdraw.status_code == 403
    assert Amendment.objects.get(pk=forwarded["copy"].pk).status == Amendment.Status.SUBMITTED


# --- The staff page ------------------------------------------------------------------------------------------------


def forward_url(meeting) -> str:
    return reverse("committees_staff:amendments_forward", args=[meeting["source"].pk])


def test_the_regional_office_sees_the_dry_run_and_forwards(client, meeting):
    target = landsting_document(meeting, text=SHIFTED_DOCUMENT)
    adopted(meeting, line_from=6, line_to=7, text="Ny tekst om unge.")
    adopted(meeting, outcome="rejected", chapter=3, line_from=13, line_to=13)
    client.force_login(regional_staff_user(meeting["office"]))

    dry_run = client.get(forward_url(meeting)).content.decode()
    assert 'id="forward-1"' in dry_run and "lines 7–8" in dry_run and "found by its words" in dry_run
    assert "1 amendment the meeting did not adopt is not sent." in dry_run
    assert not Amendment.objects.filter(document=target).exists()

    response = client.post(forward_url(meeting), {"target": target.pk, "leave_out": ""}, follow=True)

    assert "1 amendment was forwarded to Kommunesektorens politiske prioriteringer as amendment 1." in (
        response.content.decode()
    )
    assert "Amendment 1 is amendment 1 to" in response.content.decode()
    assert Amendment.objects.get(document=target).proposed_by_congress == meeting["congress"]


def test_the_page_lists_the_problems_and_forwards_the_rest_only_when_told(client, meeting):
    target = landsting_document(meeting, text=REWRITTEN_DOCUMENT)
    adopted(meeting, line_from=6, line_to=7)
    adopted(meeting, chapter=3, line_from=13, line_to=13)
    client.force_login(SecretariatUserFactory())

    dry_run = client.get(forward_url(meeting)).content.decode()
    assert "Amendment 1 (lines 6–7): the text it changes is not in the Landsting" in dry_run
    refused = client.post(forward_url(meeting), {"target": target.pk, "leave_out": "1"})
    assert "Nothing was forwarded" in refused.content.decode()
    assert not Amendment.objects.filter(document=target).exists()

    client.post(forward_url(meeting), {"target": target.pk, "leave_out": "1", "leave_out_confirmed": "on"})
    assert list(Amendment.objects.filter(document=target).values_list("forwarded_from__number", flat=True)) == [2]


def test_the_page_says_why_nothing_can_be_forwarded_after_the_deadline(client, meeting):
    target = landsting_document(meeting)
    target.amendment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    target.save()
    adopted(meeting, line_from=6, line_to=7)
    client.force_login(SecretariatUserFactory())

    page = client.get(forward_url(meeting)).content.decode()
    posted = client.post(forward_url(meeting), {"target": target.pk})

    assert "the county meeting&#x27;s amendments can no longer be forwarded" in page
    assert "can no longer be forwarded" in posted.content.decode()
    assert not Amendment.objects.filter(document=target).exists()


def test_another_regional_office_gets_404_and_forwards_nothing(client, meeting):
    target = landsting_document(meeting)
    adopted(meeting, line_from=6, line_to=7)
    client.force_login(regional_staff_user())

    assert client.get(forward_url(meeting)).status_code == 404
    assert client.post(forward_url(meeting), {"target": target.pk}).status_code == 404
    lines = reverse("committees_staff:document_lines", args=[meeting["source"].pk])
    assert client.get(lines).status_code == 404
    listing = client.get(reverse("admin:committees_amendment_changelist")).content.decode()
    assert "Ny tekst." not in listing
    assert not Amendment.objects.filter(document=target).exists()


def test_the_landstings_own_document_is_no_source(client, meeting):
    target = landsting_document(meeting)
    client.force_login(SecretariatUserFactory())
    assert client.get(reverse("committees_staff:amendments_forward", args=[target.pk])).status_code == 404


def test_staff_without_the_permission_get_403(client, meeting):
    client.force_login(StaffUserFactory())
    assert client.get(forward_url(meeting)).status_code == 403


def test_the_committee_and_the_plenary_treat_the_meetings_proposal_as_any_other(forwarded):
    from committees.services import amendment_decision_subjects, final_paragraphs

    copy = amendment_recommend(amendment=forwarded["copy"], recommendation="adopt", user=None)
    assert f"committees.amendment:{copy.pk}" in {s.key for s in amendment_decision_subjects(forwarded["landsting"])}
    proposal_record_outcome(proposal=copy, outcome="adopted", user=None)

    paragraphs = final_paragraphs(document=forwarded["target"], basis="plenary")
    assert any(p.text == "Fylkesmøtets tekst." and p.changed_by == (2,) for p in paragraphs)


def test_the_dry_run_takes_the_same_number_of_queries_for_2_and_8_amendments(client, meeting):
    from tests.helpers import queries_of_page

    landsting_document(meeting, text=SHIFTED_DOCUMENT)
    client.force_login(SecretariatUserFactory())
    for line in (1, 6):
        adopted(meeting, line_from=line, line_to=line)
    two = queries_of_page(client, forward_url(meeting))
    for line in (2, 3, 4, 8):
        adopted(meeting, chapter=2 if line == 8 else 1, line_from=line, line_to=line)
    adopted(meeting, chapter=3, line_from=13, line_to=13)
    adopted(meeting, chapter=3, line_from=14, line_to=14)

    assert queries_of_page(client, forward_url(meeting)) == two
