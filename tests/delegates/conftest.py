import pytest

from tests.factories import CountyFactory, RegionalOfficeFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code under test defers to the commit (queuing and sending mail) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def county():
    """Trøndelag, with its regional office (the reply-to address of the mails and letters)."""
    county = CountyFactory(number="50", name="Trøndelag")
    county.regional_office = RegionalOfficeFactory(name="KS Trøndelag", email="trondelag@ks.no")
    county.save()
    return county
