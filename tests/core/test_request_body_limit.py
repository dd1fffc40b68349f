"""A request body above ``MAX_REQUEST_BODY_BYTES`` is refused with 413 before the CSRF check or a view reads it, in
the user's language; one below the limit goes on as before."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024


def multipart(size: int) -> tuple[bytes, str]:
    boundary = "grense"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="decision_document"; filename="vedtak.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%PDF-"
        + b"0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.usefixtures("small_limit")
def test_a_body_above_the_limit_is_refused_in_bokmal_before_anything_reads_it(client):
    body, content_type = multipart(5 * 1024 * 1024)

    response = client.generic("POST", "/fylkesmote/" + "a" * 43 + "/", body, content_type=content_type)

    assert response.status_code == 413
    assert response.content.decode() == "Forespørselen er for stor: høyst 4 MB kan sendes på én gang."


@pytest.mark.usefixtures("small_limit", "english")
def test_the_refusal_speaks_english_to_an_english_user(client):
    body, content_type = multipart(5 * 1024 * 1024)
    response = client.generic("POST", "/konto/login/", body, content_type=content_type)
    assert response.status_code == 413
    assert response.content.decode() == "The request is too large: at most 4 MB can be sent at once."


@pytest.mark.usefixtures("small_limit")
def test_a_body_below_the_limit_reaches_the_csrf_check_as_before(client):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    body, content_type = multipart(1024)
    response = csrf_client.generic("POST", "/konto/login/", body, content_type=content_type)
    assert response.status_code == 403  # the CSRF check, not the size


def test_the_limit_leaves_room_for_the_largest_upload_a_form_accepts(settings):
    from county_meetings.reports import MAX_DOCUMENT_BYTES

    assert settings.MAX_REQUEST_BODY_BYTES > MAX_DOCUMENT_BYTES + 1024 * 1024
