"""`make run PORT=…` puts the port it serves into the personal links of mail and letters (issue 14, item 8)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Stands in for the virtualenv's python in the Makefile's recipes: prints the personal link a mail would carry, as the
# real settings derive it from the environment the recipe runs in.
FAKE_PYTHON = f"""#!/bin/sh
exec {sys.executable} - "$@" <<'PY'
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ks_landsting.settings"
sys.path.insert(0, {str(ROOT)!r})
django.setup()
from delegates.services.links import personal_link_url
print("RECIPE", " ".join(sys.argv[1:]), personal_link_url("TOKEN"))
PY
"""


def _make_run(tmp_path: Path, *args: str, environment: dict[str, str] | None = None) -> dict[str, str]:
    """Each manage.py command `make run` runs → the personal link it would put in a mail."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(FAKE_PYTHON)
    (bin_dir / "python").chmod(0o755)
    (tmp_path / "stamp").touch()
    env = {
        k: v for k, v in os.environ.items() if k not in {"KS_PUBLIC_BASE_URL", "MAKEFLAGS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(environment or {})
    result = subprocess.run(
        [make, "-s", "-C", str(ROOT), "run", f"BIN={bin_dir}", f"STAMP={tmp_path / 'stamp'}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    links = {}
    for line in result.stdout.splitlines():
        if line.startswith("RECIPE "):
            *command, link = line.split()[1:]
            links[command[1]] = link
    return links


def test_make_run_on_another_port_puts_that_port_in_personal_links(tmp_path):
    links = _make_run(tmp_path, "PORT=8123")

    assert set(links) == {"migrate", "seed_demo", "runserver"}
    assert links["runserver"] == "http://127.0.0.1:8123/p/TOKEN/"
    assert links["seed_demo"] == "http://127.0.0.1:8123/p/TOKEN/"


def test_make_run_keeps_a_public_address_set_in_the_environment(tmp_path):
    links = _make_run(tmp_path, "PORT=8123", environment={"KS_PUBLIC_BASE_URL": "https://landsting.example.no/"})

    assert links["runserver"] == "https://landsting.example.no/p/TOKEN/"
