"""Rate limits behind the TLS proxy: the client's address comes from X-Forwarded-For only through a trusted proxy."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.client_ip import client_ip
from delegates.models import PersonalLink
from delegates.services.links import personal_link_issue
from tests.factories import PASSWORD, CongressFactory, ParticipantFactory, StaffUserFactory

PROXY = "172.31.240.1"
ALICE = "198.51.100.10"
BOB = "198.51.100.20"


def address_of(remote_addr: str, forwarded_for: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_ip(RequestFactory().get("/", **extra))


# --- The rule -------------------------------------------------------------------------------------------------


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(settings):
    settings.KS_TRUSTED_PROXIES = []
    assert address_of("203.0.113.5", "1.2.3.4") == "203.0.113.5"
    assert address_of("203.0.113.5") == "203.0.113.5"


def test_a_request_that_did_not_come_through_the_proxy_keeps_its_own_address(settings):
    settings.KS_TRUSTED_PROXIES = [PROXY]
    assert address_of("203.0.113.5", "1.2.3.4") == "203.0.113.5"


def test_through_the_proxy_the_right_most_untrusted_hop_is_the_client(settings):
    settings.KS_TRUSTED_PROXIES = [PROXY]
    assert address_of(PROXY, ALICE) == ALICE
    # A client that sends its own X-Forwarded-For gets its forgery kept on the left, where it is ignored.
    assert address_of(PROXY, f"1.2.3.4, {ALICE}") == ALICE
    assert address_of(PROXY, f"not an address, {ALICE}") == ALICE
    # No header from the proxy: the proxy is all we know.
    assert address_of(PROXY) == PROXY


def test_a_chain_of_trusted_proxies_is_skipped(settings):
    settings.KS_TRUSTED_PROXIES = ["172.31.240.0/24", "10.0.0.7"]
    assert address_of("172.31.240.9", f"1.2.3.4, {ALICE}, 10.0.0.7") == ALICE
    assert address_of("172.31.240.9", "10.0.0.7") == "10.0.0.7"  # only proxies: the farthest one


def test_addresses_with_ports_and_ipv6_are_read(settings):
    settings.KS_TRUSTED_PROXIES = [PROXY, "2001:db8:ffff::/48"]
    assert address_of(PROXY, f"{ALICE}:51234") == ALICE
    assert address_of(PROXY, "[2001:db8::7]:443") == "2001:db8::7"
    assert address_of("2001:db8:ffff::1", "2001:db8::7") == "2001:db8::7"
    assert address_of(PROXY, "::ffff:198.51.100.10") == ALICE


def test_a_forwarded_value_that_is_no_address_leaves_the_proxy(settings):
    settings.KS_TRUSTED_PROXIES = [PROXY]
    assert address_of(PROXY, "garbage") == PROXY


def test_a_wrong_proxy_setting_is_explained(settings):
    settings.KS_TRUSTED_PROXIES = ["the proxy"]
    with pytest.raises(ImproperlyConfigured, match="'the proxy' is neither an IP address nor a network"):
        address_of(PROXY, ALICE)


def test_allauth_uses_the_same_rule(settings, rf):
    from allauth.account.adapter import get_adapter

    settings.KS_TRUSTED_PROXIES = [PROXY]
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ALICE}")
    assert get_adapter(request).get_client_ip(request) == ALICE


# --- Staff sign-in (allauth's limit: 10 failed sign-ins a minute per address) ---------------------------------


def fail_ten_times(client, **extra) -> None:
    for attempt in range(10):
        client.post(
            reverse("account_login"), {"login": f"nobody{attempt}@example.no", "password": "wrong password"}, **extra
        )


def signs_in(client, user, **extra) -> bool:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, **extra)
    return response.status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_behind_the_proxy_one_client_failing_does_not_lock_out_another(client, settings):
    settings.KS_TRUSTED_PROXIES = [PROXY]
    fail_ten_times(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)
    staff = StaffUserFactory()

    assert not signs_in(client, staff, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)  # Alice is limited
    assert signs_in(client, staff, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB)  # Bob, behind the same proxy, is not


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_sign_in_limit(client, settings):
    settings.KS_TRUSTED_PROXIES = []
    for attempt in range(10):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.no", "password": "wrong password"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}",
        )
    staff = StaffUserFactory()
    assert not signs_in(client, staff, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert signs_in(client, staff, REMOTE_ADDR="203.0.113.6")


# --- The portal's lost-link form (5 requests per 15 minutes per address) ----------------------------------------


def ask_for_lost_link(client, email: str, capture, **extra) -> None:
    with capture(execute=True):
        client.post(reverse("portal:lost_link"), {"email": email}, **extra)


def participant_with_mailed_link(email: str):
    today = datetime.date.today()
    congress = CongressFactory(
        first_day=today + datetime.timedelta(days=30),
        last_day=today + datetime.timedelta(days=31),
        registration_deadline=today + datetime.timedelta(days=10),
    )
    participant = ParticipantFactory(congress=congress, email=email)
    link, _token = personal_link_issue(participant=participant)
    PersonalLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
    return participant


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_behind_the_proxy_lost_link_requests_are_limited_per_client(
    client, settings, django_capture_on_commit_callbacks
):
    settings.KS_TRUSTED_PROXIES = [PROXY]
    for attempt in range(5):  # Alice uses up her address's allowance with unknown addresses
        ask_for_lost_link(
            client,
            f"nobody{attempt}@example.no",
            django_capture_on_commit_callbacks,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ALICE,
        )
    participant = participant_with_mailed_link("inge@example.no")

    ask_for_lost_link(
        client, participant.email, django_capture_on_commit_callbacks, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE
    )
    assert mail.outbox == []  # Alice is over the limit

    ask_for_lost_link(
        client,
        participant.email,
        django_capture_on_commit_callbacks,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{ALICE}, {BOB}",  # Bob, behind the same proxy, even claiming to be Alice
    )
    assert [message.to for message in mail.outbox] == [[participant.email]]


@pytest.mark.django_db
@pytest.mark.usefixtures("isolated_cache")
def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_lost_link_limit(
    client, settings, django_capture_on_commit_callbacks
):
    settings.KS_TRUSTED_PROXIES = []
    for attempt in range(5):
        ask_for_lost_link(
            client,
            f"nobody{attempt}@example.no",
            django_capture_on_commit_callbacks,
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}",
        )
    participant = participant_with_mailed_link("inge@example.no")
    ask_for_lost_link(
        client,
        participant.email,
        django_capture_on_commit_callbacks,
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert mail.outbox == []


def test_compose_publishes_gunicorn_only_to_the_proxy_on_its_host():
    """Compose trusts its network's gateway as the proxy: a client reaching the published port from elsewhere would
    arrive from that gateway and could forge its address, so the port is bound to the host's loopback."""
    import re
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()

    published = re.findall(r'^\s*-\s*"([\d.:]*8000)"', compose, flags=re.MULTILINE)
    assert published == ["127.0.0.1:8000:8000"]
