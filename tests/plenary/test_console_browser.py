"""The chair's console in Debian's Chromium: two consoles side by side; one presses N for the next speaker and the
other shows the new speaker within a second; the clock runs from the server's time; L closes the list; R prepares
a reply; keys typed in the search field stay text."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.groups import staff_groups_ensure
from plenary.apps import CHAIR_GROUP
from plenary.models import SpeakerRequest, SpeakersList
from plenary.services import hall_item_set, speaker_request_add
from tests.conftest import _new_page
from tests.factories import CongressFactory, StaffUserFactory
from tests.helpers import nb, sign_in_on_the_form
from tests.plenary.factories import AgendaItemFactory, delegate_in_hall

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def test_two_consoles_follow_each_other(live_server, page, browser):
    staff_groups_ensure()
    for email in ("dirigent1@ks.no", "dirigent2@ks.no"):
        StaffUserFactory(email=email).groups.add(Group.objects.get(name=CHAIR_GROUP))
    item = AgendaItemFactory(congress=CongressFactory(), title="Generaldebatt")
    hall_item_set(congress=item.congress, item_id=item.pk, user=None)
    for first_name, last_name in (("Anne", "Aas"), ("Bo", "Berg")):
        person = delegate_in_hall(item.congress, first_name=first_name, last_name=last_name)
        speaker_request_add(item=item, kind=SpeakerRequest.Kind.SPEECH, participant=person)
    url = live_server.url + reverse("plenary_staff:console")
    login = f"{live_server.url}{reverse('account_login')}?next={url}"

    sign_in_on_the_form(page, login, "dirigent1@ks.no", lands_on=url)
    context, other = _new_page(browser, viewport={"width": 1280, "height": 900})
    try:
        sign_in_on_the_form(other, login, "dirigent2@ks.no", lands_on=url)
        nobody = nb("Nobody has the floor.")
        expect(page.locator("#console-speaker-name")).to_have_text(nobody)
        expect(other.locator("#console-queue-body tr")).to_have_count(2)

        # The first console presses N: it reloads with Anne speaking; the second shows her within a second.
        page.locator("body").press("n")
        expect(page.locator("#console-speaker-name")).to_have_text("Anne Aas")
        expect(other.locator("#console-speaker-name")).to_have_text("Anne Aas", timeout=1000)
        expect(other.locator("#console-queue-body tr")).to_have_count(1)
        anne = str(SpeakerRequest.objects.get(state=SpeakerRequest.State.SPEAKING).pk)
        # Every form that depends on who speaks now says Anne: the controls and the rebuilt queue's rows.
        expect(other.locator("#console-controls input[name=speaking]")).to_have_value(anne)
        expect(other.locator("#console-queue-body input[name=speaking]")).to_have_value(anne)

        # The clock runs (five minutes for a first speech) on both.
        clock = other.locator("#console-clock")
        expect(clock).to_have_text(re.compile(r"^4:5\d$|^5:00$"))
        first = clock.inner_text()
        other.wait_for_timeout(1200)
        assert clock.inner_text() != first
        assert other.locator("#console-speaker").get_attribute("data-state") == "running"

        # Keys typed in the search field stay text; R prepares a reply.
        other.locator("#console-q").press_sequentially("ns")
        expect(other.locator("#console-q")).to_have_value("ns")
        expect(other.locator("#console-speaker-name")).to_have_text("Anne Aas")
        other.locator("#console-q").fill("")
        other.locator("body").click(position={"x": 5, "y": 5})
        other.keyboard.press("r")
        expect(other.locator("#console-q")).to_be_focused()
        expect(other.locator("#console-kind")).to_have_value("reply")

        # The second console closes the list with L; the first shows it closed.
        other.locator("body").click(position={"x": 5, "y": 5})
        other.keyboard.press("l")
        expect(other.locator(".messagelist")).to_contain_text(nb("The list of speakers is closed (strek)."))
        assert SpeakersList.objects.get(item=item).closed_at is not None
        expect(page.locator("#console-list-state")).to_have_class(re.compile(r"\bclosed\b"), timeout=1000)
        expect(page.locator("#console-reopen")).to_be_visible()
        expect(page.locator("#console-close")).to_be_hidden()
    finally:
        context.close()
