import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher

from core.tasks import ping

PROJECT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests and would itself be a deploy-check finding.
    inherited = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "ks_landsting.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "landsting.ks.no",
}


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="ks_landsting.settings.production", ALLOWED_HOSTS="x.no")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_hashes_passwords_with_pbkdf2_as_the_sign_in_tests_do(production_password_hasher):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.hashers import get_hasher; print(get_hasher().algorithm, get_hasher().iterations)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    algorithm, iterations = result.stdout.split()
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 1_000_000
    assert (get_hasher().algorithm, get_hasher().iterations) == (algorithm, int(iterations))


def test_the_other_tests_hash_passwords_fast():
    # PBKDF2 at a million iterations would cost 0.2 s for every user a factory makes.
    assert get_hasher().algorithm == "md5"


def test_services_follow_the_environment():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_TASK_ALWAYS_EAGER is not bool(os.environ.get("REDIS_URL"))


@pytest.mark.real_services
@pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")) and not os.environ.get("KS_EXPECT_CELERY_WORKER"),
    reason="REDIS_URL is set but no Celery worker was started (set KS_EXPECT_CELERY_WORKER=1 once it runs)",
)
def test_a_task_runs_eagerly_or_on_the_worker():
    assert ping.delay().get(timeout=30) == "pong"
