"""``manage.py apportion`` as other tools call it: a process, its stdout, its stderr and its exit status."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_apportion(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "apportion", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ks_landsting.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_csv(directory: Path, text: str, name: str = "units.csv") -> str:
    path = directory / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def test_prints_the_seats_as_csv_in_input_order(tmp_path):
    # A BOM, spaces around the cells, a quoted name with a comma and a blank last line are all fine.
    # 71 000 / 20 000 / 9 000 with 8 seats by Sainte-Laguë is 5 / 2 / 1 (worked out in test_apportionment.py).
    file = write_csv(
        tmp_path,
        '\ufeff name , population \n Vestland , 71000\n"Agder, Vest",20000 \nFinnmark,9000\n\n',
    )
    result = run_apportion("--seats", "8", "--method", "sainte-lague", file)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == 'name,population,seats\nVestland,71000,5\n"Agder, Vest",20000,2\nFinnmark,9000,1\n'


def test_a_tie_is_settled_by_the_winners_of_the_drawing(tmp_path):
    file = write_csv(tmp_path, "name,population\nOslo,1000\nBergen,1000\n")
    result = run_apportion("--seats", "3", "--method", "dhondt", "--lot", "Bergen", file)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "name,population,seats\nOslo,1000,1\nBergen,1000,2\n"


GOOD = "name,population\nOslo,1000\nBergen,500\nTromsø,200\n"


@pytest.mark.parametrize(
    ("csv_text", "args", "fragments", "line"),
    [
        (None, ["--seats", "3", "--method", "dhondt"], ["missing.csv"], None),
        ("navn,folketall\nOslo,1000\n", ["--seats", "3", "--method", "dhondt"], ["navn,folketall"], 1),
        (
            "name,population\nOslo,1000\nBergen,12 000\n",
            ["--seats", "3", "--method", "dhondt"],
            ["12 000"],
            3,
        ),
        (
            "name,population\nOslo,1000\nBergen,-5\n",
            ["--seats", "3", "--method", "dhondt"],
            ["Bergen", "-5"],
            3,
        ),
        ("name,population\nOslo,1000\nBergen,\n", ["--seats", "3", "--method", "dhondt"], ["Bergen"], 3),
        (
            "name,population\nOslo,1000\nBergen,500\nOslo,700\n",
            ["--seats", "3", "--method", "dhondt"],
            ["Oslo"],
            4,
        ),
        (GOOD, ["--seats", "5", "--method", "dhondt", "--min-seats", "2"], ["5", "6", "3", "2"], None),
        (GOOD, ["--seats", "5", "--method", "hamilton"], ["hamilton", "sainte-lague", "dhondt"], None),
        (GOOD, ["--method", "dhondt"], ["--seats"], None),
        (
            "name,population\nOslo,1000\nBergen,1000\nTromsø,0\n",
            ["--seats", "3", "--method", "sainte-lague"],
            ["1", "Oslo", "Bergen", "--lot"],
            None,
        ),
    ],
    ids=[
        "missing-file",
        "wrong-header",
        "population-not-a-number",
        "negative-population",
        "missing-population",
        "duplicate-name",
        "too-few-seats",
        "unknown-method",
        "missing-seats",
        "tie-without-lot",
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_status_2(tmp_path, csv_text, args, fragments, line):
    file = str(tmp_path / "missing.csv") if csv_text is None else write_csv(tmp_path, csv_text)
    result = run_apportion(*args, file)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.endswith("\n")
    assert result.stderr.count("\n") == 1, result.stderr
    message = result.stderr.removeprefix("apportion: ")
    assert message != result.stderr, "the line starts with the command's name"
    for fragment in fragments:
        assert fragment in message
    if line is not None:
        assert re.search(rf"\b{line}\b", message), "the line number of the bad row is named"
    assert "Traceback" not in message


# In-process: the same errors reach a caller of call_command as CommandError with exit status 2.


def test_call_command_writes_the_csv(tmp_path):
    out = io.StringIO()
    call_command("apportion", "--seats", "7", "--method", "largest-remainder", write_csv(tmp_path, GOOD), stdout=out)
    # Hare: quotas 4.12 / 2.06 / 0.82 (total 1 700), floors 4 + 2 + 0, one more to .82 Tromsø.
    assert out.getvalue() == "name,population,seats\nOslo,1000,4\nBergen,500,2\nTromsø,200,1\n"


@pytest.mark.parametrize(
    ("lots", "fragments"),
    [
        (["Tromsø"], ["Oslo", "Bergen", "Tromsø"]),
        (["Oslo", "Bergen"], ["Oslo", "Bergen"]),
        (["Oslo", "Oslo"], ["Oslo"]),
    ],
    ids=["not-tied", "too-many", "twice"],
)
def test_wrong_winners_of_the_drawing_are_rejected(tmp_path, lots, fragments):
    file = write_csv(tmp_path, "name,population\nOslo,1000\nBergen,1000\nTromsø,0\n")
    lot_args = [arg for name in lots for arg in ("--lot", name)]
    with pytest.raises(CommandError) as caught:
        call_command("apportion", "--seats", "3", "--method", "dhondt", *lot_args, file, stdout=io.StringIO())
    assert caught.value.returncode == 2
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_lots_without_a_tie_are_rejected(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "apportion",
            "--seats",
            "7",
            "--method",
            "largest-remainder",
            "--lot",
            "Oslo",
            write_csv(tmp_path, GOOD),
        )
    assert caught.value.returncode == 2


def test_argument_errors_reach_call_command_as_command_errors(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("apportion", "--seats", "many", "--method", "dhondt", write_csv(tmp_path, GOOD))
    assert caught.value.returncode == 2
    assert "many" in str(caught.value)
