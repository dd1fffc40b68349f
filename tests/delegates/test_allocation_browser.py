"""A secretariat user signs in and reads the demo congress's allocation table in Debian's Chromium."""

import re

import pytest
from playwright.sync_api import expect

from delegates import demo
from tests.helpers import sign_in_on_the_form

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db", "isolated_cache")]


def test_secretariat_opens_the_allocation_table_of_the_demo_congress(live_server, page, seeded_demo):
    sign_in_on_the_form(page, f"{live_server.url}/admin/", *demo.DEMO_SECRETARIAT_LOGIN)

    page.get_by_role("link", name=re.compile("Delegatnøkler|Delegate keys")).first.click()
    page.get_by_role("link", name=re.compile("Fordelingstabell|Allocation table")).first.click()

    table = page.locator("#allocation-table")
    expect(table).to_be_visible()
    expect(table.locator(":scope > tbody > tr")).to_have_count(15)
    for county in ("03 Oslo", "50 Trøndelag", "56 Finnmark", "31 Østfold"):
        expect(table.get_by_role("rowheader", name=county)).to_be_visible()
    # Oslo's 717 710 inhabitants, with the Norwegian thousands separator.
    expect(table.get_by_role("row", name=re.compile("03 Oslo"))).to_contain_text("717\u00a0710")
    final_total = table.locator(":scope > tfoot > tr").first.locator("td.num").nth(4)
    expect(final_total).to_have_text("219")
    expect(table.locator(":scope > tfoot > tr").last).to_contain_text("239")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Eksporter CSV|Export CSV")).click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert content.count("\n") == 1 + 15 + 2
    assert "Trøndelag" in content
