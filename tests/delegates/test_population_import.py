"""``manage.py import_population``: our CSV and SSB's table 07459; all or nothing, every bad row reported."""

import csv
import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from delegates.models import County, Organisation
from delegates.population import FileFormat, PopulationImportError, PopulationRow, parse_population_file
from delegates.services.population import population_import
from tests.factories import CountyFactory, OrganisationFactory

pytestmark = pytest.mark.usefixtures("english_in_test")

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT / "delegates" / "data"
MUNICIPALITIES_FILE = DATA / "kommuner_2024_folketall.csv"
COUNTIES_FILE = DATA / "fylker_2024_folketall.csv"
HEADER = "kommunenummer,kommunenavn,navn_i_kilden,fylkesnummer,fylkesnavn,folketall,areal_km2,malform,adm_senter"
JAN_2024 = datetime.date(2024, 1, 1)
Kind = Organisation.Kind

# SSB's "semicolon separated" download, long format (a year column), as saved by the browser: UTF-8 with BOM.
SSB_LONG = (
    '"07459: Befolkning, etter region, statistikkvariabel og år"\n'
    "\n"
    '"region";"statistikkvariabel";"år";"07459: Befolkning, etter region, statistikkvariabel og år"\n'
    '"0 Hele landet";"Personer";"2024";5550203\n'
    '"0 Hele landet";"Personer";"2025";5594340\n'
    '"03 Oslo";"Personer";"2024";717710\n'
    '"03 Oslo";"Personer";"2025";724290\n'
    '"0301 Oslo";"Personer";"2024";717710\n'
    '"0301 Oslo";"Personer";"2025";724290\n'
    '"3001 Halden (2020-2023)";"Personer";"2024";..\n'
    '"3001 Halden (2020-2023)";"Personer";"2025";..\n'
    '"3101 Halden (2024-)";"Personer";"2024";31935\n'
    '"3101 Halden (2024-)";"Personer";"2025";32100\n'
    '"3201 Bærum";"Personer";"2024";130921\n'
    '"3201 Bærum";"Personer";"2025";131500\n'
    '"5501 Tromsø - Romsa - Tromssa";"Personer";"2024";78745\n'
    '"5501 Tromsø - Romsa - Tromssa";"Personer";"2025";79250\n'
)

# The same table pivoted with a column per year, unquoted, as an older download in Windows-1252.
SSB_WIDE = (
    "Befolkning, etter region, statistikkvariabel og år\r\n"
    "\r\n"
    "region;Personer 2023;Personer 2024;Personer 2025\r\n"
    "0 Hele landet;5504329;5550203;5594340\r\n"
    "30 Viken (2020-2023);1269230;..;..\r\n"
    "32 Akershus;..;728803;735000\r\n"
    "3024 Bærum (2020-2023);128982;..;..\r\n"
    "3201 Bærum;..;130921;131800\r\n"
    "5401 Tromsø (2020-2023);78017;..;..\r\n"
    "5501 Tromsø - Romsa - Tromssa;..;78745;79300\r\n"
    "5636 Unjárga - Nesseby;..;859;845\r\n"
)


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_population", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_failing(path: Path, *args: str) -> tuple[str, str]:
    """The stderr lines and the CommandError's message of a run that must fail."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_population", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue(), str(failure.value)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def real_lines() -> list[str]:
    return MUNICIPALITIES_FILE.read_text(encoding="utf-8").splitlines()


def county_sums() -> dict[str, int]:
    with COUNTIES_FILE.open(encoding="utf-8") as f:
        return {r["fylkesnummer"]: int(r["folketall_sum_kommuner"]) for r in csv.DictReader(f) if r["fylkesnummer"]}


def nothing_written() -> bool:
    return not County.objects.exists() and not Organisation.objects.exists()


# --- Our CSV ------------------------------------------------------------------------------------------------


def test_our_csv_loads_every_county_municipality_and_county_municipality(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        summary = run(MUNICIPALITIES_FILE)

    assert County.objects.count() == 15
    municipal = Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS)
    assert municipal.count() == 357
    assert municipal.aggregate(total=Sum("population"))["total"] == 5_550_203
    assert set(municipal.values_list("population_date", flat=True)) == {JAN_2024}
    assert Organisation.objects.filter(kind=Kind.COUNTY_MUNICIPALITY).count() == 14

    oslo = Organisation.objects.get(number="0301")
    assert (oslo.kind, oslo.name, oslo.county.number, oslo.population) == (
        Kind.MUNICIPALITY_AND_COUNTY,
        "Oslo",
        "03",
        717_710,
    )
    assert not Organisation.objects.filter(number="03").exists()  # one delegation for Oslo, not two

    expected = county_sums()
    for county_municipality in Organisation.objects.filter(kind=Kind.COUNTY_MUNICIPALITY).select_related("county"):
        number = county_municipality.county.number
        assert county_municipality.number == number
        assert county_municipality.name == f"{county_municipality.county.name} fylkeskommune"
        assert county_municipality.population == expected[number]
        assert county_municipality.population_date == JAN_2024
    assert Organisation.objects.get(number="32").name == "Akershus fylkeskommune"
    assert Organisation.objects.get(number="5501").county.name == "Troms"

    assert summary.startswith(
        "Imported 357 municipalities from kommuner_2024_folketall.csv (our CSV), population per 2024-01-01"
    )
    assert "Municipalities: 357 created, 0 updated, 0 unchanged." in summary
    assert "Counties: 15 created, 0 renamed." in summary
    assert "County municipalities: 14 created, 0 updated, 0 unchanged." in summary
    assert "Oslo: municipality and county municipality in one organisation (one delegation)." in summary
    assert "\n" not in summary.strip()


def test_reimport_with_another_reference_date_updates_without_duplicates(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    ids = dict(Organisation.objects.values_list("number", "pk"))

    same = run(MUNICIPALITIES_FILE)
    assert "Municipalities: 0 created, 0 updated, 357 unchanged." in same
    assert "County municipalities: 0 created, 0 updated, 14 unchanged." in same

    copy = write(tmp_path, "folketall.csv", MUNICIPALITIES_FILE.read_text(encoding="utf-8"))
    summary = run(copy, "--reference-date", "2024-07-01")

    assert dict(Organisation.objects.values_list("number", "pk")) == ids
    assert County.objects.count() == 15
    assert Organisation.objects.count() == 357 + 14
    assert set(Organisation.objects.values_list("population_date", flat=True)) == {datetime.date(2024, 7, 1)}
    assert "Municipalities: 0 created, 357 updated, 0 unchanged." in summary
    assert "County municipalities: 0 created, 14 updated, 0 unchanged." in summary


def test_changed_figures_and_names_are_updated(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    changed = []
    for line in real_lines():
        if line.startswith("1103,"):
            line = line.replace(
                "1103,Stavanger,Stavanger,11,Rogaland,149048",
                "1103,Stavanger by,Stavanger,11,Rogaland,150000",
            )
        changed.append(line.replace(",Rogaland,", ",Rogaland fylke,"))
    summary = run(write(tmp_path, "kommuner_2024_folketall.csv", "\n".join(changed) + "\n"))

    stavanger = Organisation.objects.get(number="1103")
    assert (stavanger.name, stavanger.population) == ("Stavanger by", 150_000)
    rogaland = Organisation.objects.get(number="11")
    assert rogaland.name == "Rogaland fylke fylkeskommune"
    assert rogaland.population == county_sums()["11"] - 149_048 + 150_000
    assert "Municipalities: 0 created, 1 updated, 356 unchanged." in summary
    assert "Counties: 0 created, 1 renamed." in summary
    assert "County municipalities: 0 created, 1 updated, 13 unchanged." in summary


def test_semicolon_separated_spreadsheet_copy_in_windows_1252_is_read(db, tmp_path):
    text = "\r\n".join(line.replace(",", ";") + ";;" for line in real_lines()) + "\r\n"
    run(write(tmp_path, "kommuner_2024_folketall.csv", text, encoding="cp1252"))

    assert Organisation.objects.get(number="3201").name == "Bærum"
    assert Organisation.objects.get(number="5501").name == "Tromsø"
    assert Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS).count() == 357


def test_reference_date_is_needed_when_the_file_name_has_no_year(db, tmp_path):
    errors, message = run_failing(write(tmp_path, "folketall.csv", MUNICIPALITIES_FILE.read_text(encoding="utf-8")))

    assert "give it with --reference-date YYYY-MM-DD" in errors
    assert message == f"Nothing was imported: 1 error in {tmp_path / 'folketall.csv'}."
    assert nothing_written()


def test_year_gives_first_of_january_for_our_csv(db, tmp_path):
    path = write(tmp_path, "folketall.csv", MUNICIPALITIES_FILE.read_text(encoding="utf-8"))
    run(path, "--year", "2024")
    assert set(Organisation.objects.values_list("population_date", flat=True)) == {JAN_2024}


def test_one_bad_row_among_good_ones_writes_nothing_and_names_the_line(db, tmp_path):
    lines = real_lines()
    cells = lines[4].split(",")
    cells[5] += "x"
    lines[4] = ",".join(cells)
    errors, message = run_failing(write(tmp_path, "kommuner_2024_folketall.csv", "\n".join(lines) + "\n"))

    assert errors.splitlines() == [f"line 5: The population “{cells[5]}” is not a whole number."]
    assert message.startswith("Nothing was imported: 1 error in ")
    assert nothing_written()


def test_every_bad_row_is_reported(db, tmp_path):
    text = "\n".join(
        [
            HEADER,
            "0301,Oslo,Oslo,03,Oslo,717710,454.12,Nøytral,Oslo",  # 2: fine
            "301,Oslo,Oslo,03,Oslo,1,1,Nøytral,Oslo",  # 3: a spreadsheet dropped the zero
            "1101,Eigersund,Eigersund,11,Rogaland,-15221,432.49,Bokmål,Egersund",  # 4
            "1103,,Stavanger,11,Rogaland,149048,262.3,Nøytral,Stavanger",  # 5
            "1106,Haugesund,Haugesund,12,Hordaland,38292,72.68,Bokmål,Haugesund",  # 6
            "0301,Oslo,Oslo,03,Oslo,717710,454.12,Nøytral,Oslo",  # 7
            "1108,Sandnes,Sandnes,11,Rogaland,83000",  # 8
            "1111,Sokndal,Sokndal,11,Rogaland,3 400,295.1,Bokmål,Hauge",  # 9: fine (a thousands space)
            "1112,Lund,Lund,11,Rogaland,3290.5,408.4,Bokmål,Moi",  # 10
            "1114,Bjerkreim,Bjerkreim,11,Rogalandd,2900,651.2,Nynorsk,Vikeså",  # 11
            "11199,Hå,Hå,11,Rogaland,,256.7,Nynorsk,Varhaug",  # 12: two problems
        ]
    )
    errors, message = run_failing(write(tmp_path, "kommuner_2024_folketall.csv", text))

    assert errors.splitlines() == [
        "line 3: Municipality number “301” must have exactly four digits; "
        "did a spreadsheet drop the leading zero of “0301”?",
        "line 4: The population -15221 is negative.",
        "line 5: Municipality 1103 has no name.",
        "line 6: Municipality number 1106 does not start with its county number 12.",
        "line 7: Municipality 0301 is already on line 2.",
        "line 8: Expected 9 columns but found 6.",
        "line 10: The population “3290.5” is not a whole number.",
        "line 11: County 11 is called “Rogalandd” here but “Rogaland” on line 4.",
        "line 12: Municipality number “11199” is not valid; it must have exactly four digits.",
        "line 12: The population is missing.",
    ]
    assert message.endswith("Nothing was imported: 10 errors in " + str(tmp_path / "kommuner_2024_folketall.csv") + ".")
    assert nothing_written()


def test_missing_columns_and_unknown_files_are_reported(db, tmp_path):
    errors, _ = run_failing(write(tmp_path, "kommuner_2024.csv", "kommunenummer,kommunenavn,folketall\n0301,Oslo,1\n"))
    assert errors.strip() == "line 1: The header lacks the column(s) fylkesnummer, fylkesnavn."

    errors, _ = run_failing(write(tmp_path, "people_2024.csv", "name,population\nOslo,717710\n"))
    assert errors.startswith("Unknown file format: expected our population CSV")

    (tmp_path / "kommuner_2024.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    errors, _ = run_failing(tmp_path / "kommuner_2024.xlsx")
    assert errors.startswith("The file is a spreadsheet workbook, not CSV")

    _, message = run_failing(tmp_path / "no-such-file.csv")
    assert message == f"{tmp_path / 'no-such-file.csv'}: no such file."
    assert nothing_written()


# --- SSB's export of table 07459 ----------------------------------------------------------------------------


def test_ssb_long_export_updates_populations_with_the_latest_year(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    path = write(tmp_path, "07459_20250301-101010.csv", SSB_LONG, encoding="utf-8-sig")
    summary = run(path)

    assert Organisation.objects.get(number="0301").population == 724_290
    assert Organisation.objects.get(number="0301").kind == Kind.MUNICIPALITY_AND_COUNTY
    baerum = Organisation.objects.get(number="3201")
    assert (baerum.population, baerum.population_date) == (131_500, datetime.date(2025, 1, 1))
    tromso = Organisation.objects.get(number="5501")
    assert (tromso.name, tromso.population) == ("Tromsø", 79_250)  # SSB's multilingual name is not a rename
    assert Organisation.objects.get(number="3101").name == "Halden"  # "(2024-)" is a period, not a name
    # Akershus fylkeskommune: the sum of its municipalities per 1.1.2025, and so far only Bærum has one.
    akershus = Organisation.objects.get(number="32")
    assert (akershus.population, akershus.population_date) == (131_500, datetime.date(2025, 1, 1))
    assert Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS).count() == 357
    assert County.objects.count() == 15

    assert "(SSB table 07459), population per 2025-01-01" in summary
    assert "Municipalities: 0 created, 4 updated, 0 unchanged." in summary
    assert (
        "Skipped 3 rows (totals for the country or a county: 2; regions without a figure, such as dissolved "
        "municipalities: 1; regions that are not municipalities: 0)." in summary
    )
    assert "The file also has the years 2024; choose one with --year." in summary
    assert "353 registered municipalities are not in the file and were left as they were: 1101 Eigersund" in summary


def test_ssb_year_option_chooses_among_the_years(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    path = write(tmp_path, "07459.csv", SSB_LONG, encoding="utf-8-sig")
    summary = run(path, "--year", "2024")

    assert Organisation.objects.get(number="3201").population == 130_921
    assert Organisation.objects.get(number="3201").population_date == JAN_2024
    assert "Municipalities: 0 created, 0 updated, 4 unchanged." in summary

    errors, _ = run_failing(path, "--year", "2019")
    assert errors.strip() == "The file has no figures for 2019; it has 2024, 2025."
    errors, _ = run_failing(path, "--reference-date", "2024-01-01")
    assert errors.startswith("SSB's figures are per 1 January of their year")


def test_ssb_wide_windows_1252_export_updates_populations(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    summary = run(write(tmp_path, "07459.csv", SSB_WIDE, encoding="cp1252"))

    baerum = Organisation.objects.get(number="3201")
    assert (baerum.name, baerum.population, baerum.population_date) == (
        "Bærum",
        131_800,
        datetime.date(2025, 1, 1),
    )
    assert Organisation.objects.get(number="5501").population == 79_300
    assert Organisation.objects.get(number="5636").name == "Nesseby"
    assert not Organisation.objects.filter(number__in=["3024", "5401"]).exists()
    assert "Skipped 5 rows (totals for the country or a county: 3; regions without a figure" in summary


def test_ssb_rows_of_an_unknown_county_write_nothing(db, tmp_path):
    """In 2023 Bærum was 3024 in Viken (30), a county the register does not have: every such row is an error."""
    run(MUNICIPALITIES_FILE)
    errors, message = run_failing(write(tmp_path, "07459.csv", SSB_WIDE, encoding="cp1252"), "--year", "2023")

    assert errors.splitlines() == [
        "line 7: County 30 of municipality 3024 is not registered and the file does not name it; "
        "import our CSV file (which names the counties) or create the county first.",
        "line 9: County 54 of municipality 5401 is not registered and the file does not name it; "
        "import our CSV file (which names the counties) or create the county first.",
    ]
    assert message.startswith("Nothing was imported: 2 errors")
    assert not Organisation.objects.filter(population_date__year=2023).exists()


def test_ssb_file_into_an_empty_register_is_refused(db, tmp_path):
    errors, _ = run_failing(write(tmp_path, "07459.csv", SSB_LONG, encoding="utf-8-sig"))
    assert len(errors.splitlines()) == 4
    assert nothing_written()


def test_ssb_new_municipality_in_a_known_county_is_created_with_its_name(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    text = SSB_LONG + '"3299 Nykommune (2025-)";"Personer";"2025";1234\n'
    summary = run(write(tmp_path, "07459.csv", text, encoding="utf-8"))

    new = Organisation.objects.get(number="3299")
    assert (new.name, new.kind, new.county.number, new.population) == (
        "Nykommune",
        Kind.MUNICIPALITY,
        "32",
        1234,
    )
    assert "Municipalities: 1 created, 4 updated, 0 unchanged." in summary


def test_ssb_export_with_sex_or_age_columns_is_refused(db, tmp_path):
    text = '"region";"kjønn";"år";"Personer"\n"0301 Oslo";"1 Menn";"2024";358000\n'
    errors, _ = run_failing(write(tmp_path, "07459.csv", text))
    assert errors.startswith("line 1: The SSB file has column(s) the import does not understand: “kjønn”.")


# --- Oslo: one organisation while it is the only municipality of its county ---------------------------------


def test_a_second_municipality_turns_the_single_delegation_into_two(db, tmp_path):
    run(MUNICIPALITIES_FILE)
    text = f"{HEADER}\n0399,Nye Oslo,Nye Oslo,03,Oslo,1000,1,Bokmål,Nye Oslo\n"
    summary = run(write(tmp_path, "kommuner_2024_folketall.csv", text))

    assert Organisation.objects.get(number="0301").kind == Kind.MUNICIPALITY
    county_municipality = Organisation.objects.get(number="03")
    assert (county_municipality.kind, county_municipality.name, county_municipality.population) == (
        Kind.COUNTY_MUNICIPALITY,
        "Oslo fylkeskommune",
        717_710 + 1000,
    )
    assert "Municipalities: 1 created, 1 updated, 0 unchanged." in summary


def test_single_municipality_next_to_a_separate_county_municipality_is_refused(db):
    county = CountyFactory(number="99", name="Prøvefylke")
    OrganisationFactory(kind=Kind.COUNTY_MUNICIPALITY, number="99", name="Prøvefylke fylkeskommune", county=county)
    row = PopulationRow(
        line=2,
        municipality_number="9901",
        name="Prøvekommune",
        county_number="99",
        county_name="Prøvefylke",
        population=100,
        reference_date=JAN_2024,
    )
    with pytest.raises(PopulationImportError) as failure:
        population_import(rows=[row])

    assert [e.message_code for e in failure.value.errors] == ["sole_municipality_conflict"]
    assert not Organisation.objects.filter(number="9901").exists()


def test_number_of_another_kind_of_organisation_is_not_overwritten(db):
    OrganisationFactory(kind=Kind.SAMFUNNSBEDRIFTENE, number="0301", name="Feilregistrert", county=None)
    row = PopulationRow(2, "0301", "Oslo", "03", "Oslo", 717_710, JAN_2024)
    with pytest.raises(PopulationImportError) as failure:
        population_import(rows=[row])

    assert [(e.line, e.message_code) for e in failure.value.errors] == [(2, "number_taken")]
    assert not County.objects.exists()


# --- The command line ---------------------------------------------------------------------------------------


def test_command_line_exit_status_and_stderr(tmp_path):
    bad = write(tmp_path, "kommuner_2024_folketall.csv", f"{HEADER}\n0301,Oslo,Oslo,03,Oslo,many,1,x,Oslo\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_population", str(bad)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    # The messages are in the project's language (bokmål once translated): only their shape is checked here.
    lines = completed.stderr.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"(line|linje) 2: .*(“many”|«many»).*", lines[0])
    assert lines[1].startswith("CommandError: ")
    assert lines[1].endswith(f"{bad}.")


# --- The parser on its own ----------------------------------------------------------------------------------


def test_parser_reads_the_real_file():
    parsed = parse_population_file(MUNICIPALITIES_FILE.read_bytes(), file_name=MUNICIPALITIES_FILE.name)
    assert parsed.ok
    assert parsed.file_format is FileFormat.OUR_CSV
    assert len(parsed.rows) == 357
    assert sum(row.population for row in parsed.rows) == 5_550_203
    assert parsed.rows[0] == PopulationRow(2, "0301", "Oslo", "03", "Oslo", 717_710, JAN_2024)


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("kommuner_2024_folketall.csv", JAN_2024),
        ("data/2025/folketall.csv", None),  # only the file's own name counts
        ("folketall-2023.csv", datetime.date(2023, 1, 1)),
        ("folketall_2023_2024.csv", None),  # two years: ambiguous
        ("folketall_20240101.csv", None),
    ],
)
def test_reference_date_from_the_file_name(file_name, expected):
    parsed = parse_population_file(MUNICIPALITIES_FILE.read_bytes(), file_name=file_name)
    assert parsed.reference_date == expected
    assert parsed.ok is (expected is not None)


def test_parser_ssb_codes_with_prefixes_and_symbols():
    text = (
        '"region";"år";"Personer"\n'
        '"0 Hele landet";"2024";5550203\n'
        '"F-32 Akershus";"2024";728803\n'
        '"K-3201 Bærum";"2024";130921\n'
        '"2111 Longyearbyen";"2024";2500\n'
        '"3025 Asker (2020-2023)";"2024";.\n'
        '"3026 Aurskog-Høland (2020-2023)";"2024";-\n'
        '"3027 Rælingen (2020-2023)";"2024";:\n'
        '"Uoppgitt";"2024";..\n'
        "\n"
        '"Kilde: Statistisk sentralbyrå"\n'
    )
    parsed = parse_population_file(text.encode())
    assert parsed.ok, parsed.errors
    assert parsed.file_format is FileFormat.SSB
    assert parsed.rows == [PopulationRow(4, "3201", "Bærum", "32", None, 130_921, JAN_2024)]
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (2, "total"),
        (3, "total"),
        (5, "not_municipal"),
        (6, "no_figure"),
        (7, "no_figure"),
        (8, "no_figure"),
        (9, "no_figure"),
    ]


def test_parser_ssb_errors_carry_line_numbers():
    text = (
        '"07459: Befolkning"\n\n'
        '"region";"år";"Personer"\n'
        '"0301 Oslo";"2024";717710\n'
        '"0301 Oslo";"2024";717710\n'
        '"Oslo";"2024";717710\n'
        '"3201 Bærum";"2024";13O921\n'
        '"3203 Asker";"2024"\n'
    )
    parsed = parse_population_file(text.encode("cp1252"))
    assert [(e.line, e.message_code) for e in parsed.errors] == [
        (5, "duplicate_municipality"),
        (6, "region_format"),
        (7, "population_not_whole"),
        (8, "wrong_column_count"),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"  \n\n", "empty_file"),
        (b"\xd0\xcf\x11\xe0" + bytes(20), "spreadsheet_not_csv"),
        (b"kommunenummer,kommunenavn,fylkesnummer,fylkesnavn,folketall\n", "no_rows"),
        (b'"region";"Personer"\n"0301 Oslo";717710\n', "ssb_columns"),
        (b'region;Personer 2024\n"0301 Oslo;' + b"x" * 200_000 + b"\n", "not_csv"),
        ('"region";"år"\n"0301 Oslo";"2024"\n'.encode(), "missing_columns"),
    ],
)
def test_parser_whole_file_problems(data, code):
    parsed = parse_population_file(data, file_name="kommuner_2024.csv")
    assert [e.message_code for e in parsed.errors] == [code]
