"""The test suite's own machinery: the copy of the database that the demo tests share, Celery's state between tests,
and when the suite runs in parallel."""

import importlib

import pytest
from celery import current_app
from celery._state import _set_task_join_will_block, task_join_will_block

from delegates.models import Participant
from tests.conftest import celery_for_one_test, pytest_xdist_auto_num_workers
from tests.factories import CongressFactory, ParticipantFactory
from tests.snapshot import snapshot_restore, snapshot_restore_or_build, snapshot_take


@pytest.mark.django_db
def test_a_restored_copy_has_the_rows_as_they_were_and_new_rows_get_new_keys():
    congress = CongressFactory()
    kept = ParticipantFactory(congress=congress, first_name="Kari")
    copies = snapshot_take()

    kept.first_name = "Endret"
    kept.save()
    ParticipantFactory(congress=CongressFactory())
    snapshot_restore(copies)

    assert snapshot_take() == copies
    assert Participant.objects.get().first_name == "Kari"
    assert ParticipantFactory(congress=congress).pk > kept.pk


@pytest.mark.django_db
def test_the_data_is_built_once_and_put_back_from_the_copy_afterwards(tmp_path):
    built = []

    def build():
        built.append(ParticipantFactory().pk)

    snapshot_restore_or_build(tmp_path / "copy.pickle", build)
    Participant.objects.all().delete()
    snapshot_restore_or_build(tmp_path / "copy.pickle", build)

    assert len(built) == 1
    assert list(Participant.objects.values_list("pk", flat=True)) == built


def test_the_suite_runs_in_one_process_when_a_celery_worker_reads_the_test_database(monkeypatch):
    monkeypatch.setenv("KS_EXPECT_CELERY_WORKER", "1")
    assert pytest_xdist_auto_num_workers(config=None) == 0
    monkeypatch.delenv("KS_EXPECT_CELERY_WORKER")
    assert pytest_xdist_auto_num_workers(config=None) is None  # pytest-xdist's own count: one worker per CPU


def test_a_test_leaves_celery_as_it_found_it_even_inside_a_task():
    before = current_app.conf.task_always_eager, task_join_will_block()
    with celery_for_one_test(eager=True):
        assert current_app.conf.task_always_eager
        _set_task_join_will_block(True)  # as eager tasks run in several threads at once can leave it
    assert (current_app.conf.task_always_eager, task_join_will_block()) == before


def test_parallel_workers_keep_their_cache_keys_apart(monkeypatch):
    import ks_landsting.settings.test as test_settings

    try:
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
        assert importlib.reload(test_settings).CACHES["default"]["KEY_PREFIX"] == "test-gw3"
        monkeypatch.delenv("PYTEST_XDIST_WORKER")
        assert "KEY_PREFIX" not in importlib.reload(test_settings).CACHES["default"]
    finally:
        monkeypatch.undo()
        importlib.reload(test_settings)
