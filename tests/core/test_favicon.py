"""Issue 14, item 8: the site has an icon: linked from the public pages, the portal and the admin, and
``/favicon.ico`` (asked for by browsers whatever the page links to) does not answer 404."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from delegates.services.links import personal_link_issue
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

ICONS = ["favicon.svg", "favicon.ico", "favicon.png", "apple-touch-icon.png"]


def icon_links(body: str) -> list[str]:
    return re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', body)


@pytest.mark.parametrize("name", ICONS)
def test_the_icons_are_static_files(name):
    assert finders.find(name), name


def test_the_svg_icon_is_an_svg_image():
    with open(finders.find("favicon.svg"), encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_favicon_ico_at_the_root_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico") and response["Location"] != "/favicon.ico"
    assert "max-age" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 302


def test_the_public_pages_link_the_icon(client):
    links = icon_links(client.get(reverse("home")).content.decode())
    assert any(link.endswith(".svg") for link in links) and any(link.endswith(".ico") for link in links)


def test_the_portal_links_the_icon(client):
    _link, token = personal_link_issue(participant=ParticipantFactory())
    links = icon_links(client.get(reverse("portal:my_data", args=[token])).content.decode())
    assert any(link.endswith(".svg") for link in links)


def test_the_admin_links_the_icon(secretariat_client):
    response = secretariat_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert any(link.endswith(".svg") for link in icon_links(response.content.decode()))
