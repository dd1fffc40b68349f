"""The KS Viken demo user, in Debian's Chromium: imports a CSV for one county, reads the delegation overview with
its warnings, and cannot reach another office's county."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from delegates import demo
from delegates.models import Organisation, Participant
from tests.accessibility import assert_no_axe_violations
from tests.helpers import sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def test_regional_user_imports_reads_the_overview_and_is_kept_out_of_other_counties(
    live_server, page, tmp_path, seeded_demo
):
    halden = Organisation.objects.get(number="3101")
    csv_file = tmp_path / "ostfold.csv"
    csv_file.write_text(
        "landsting,fornavn,etternavn,epost,kjønn,parti,fylke,organisasjon,rolle,vararang,valgt_av\n"
        f"2024,Signe,Ødegård,signe.odegard@halden.kommune.no,kvinne,Ap,31,{halden.number},delegat,,fylkesmøte\n"
        f"2024,Pål,Ås,pal.as@halden.kommune.no,mann,H,31,{halden.number},vararepresentant,99,fylkesmøte\n",
        encoding="utf-8",
    )
    sign_in_on_the_form(page, f"{live_server.url}/admin/", *demo.DEMO_REGIONAL_LOGIN)

    # Import through the admin: upload, preview, confirm.
    page.goto(f"{live_server.url}{reverse('admin:delegates_participant_changelist')}")
    page.get_by_role("link", name=re.compile("^(Importer|Import)$")).click()
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator("input[type=submit]").first.click()
    expect(page.get_by_text("Signe", exact=True)).to_be_visible()
    page.locator(
        "input[name=confirm], input[type=submit][value*='Bekreft'], input[type=submit][value*='Confirm']"
    ).first.click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Participant.objects.filter(email="signe.odegard@halden.kommune.no", county__number="31").exists()

    # The overview shows the office's counties with their warnings, and no other office's county.
    page.goto(f"{live_server.url}{reverse('delegates_staff:delegation_overview')}")
    for number in ("31", "32", "33"):
        expect(page.locator(f"#county-{number}")).to_be_visible()
    expect(page.locator("#county-46")).to_have_count(0)
    expect(page.locator("#samfunnsbedriftene")).to_have_count(0)
    expect(page.locator("#county-32 .warnings")).to_contain_text("40")
    expect(page.locator("#county-33 .warnings")).to_be_visible()
    assert_no_axe_violations(page, context="#content-main")

    # A guessed URL of a participant in Vestland (another office) gives nothing away.
    stranger = Participant.objects.filter(county__number="46").first()
    page.goto(f"{live_server.url}{reverse('admin:delegates_participant_change', args=[stranger.pk])}")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("body")).not_to_contain_text(stranger.last_name)
