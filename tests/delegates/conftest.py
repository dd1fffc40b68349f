import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code under test defers to the commit (queuing and sending mail) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
