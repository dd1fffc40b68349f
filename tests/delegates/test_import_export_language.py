"""Issue 14, item 3: the participant import and export speak the user's language and the file's.

The import, preview and confirm pages are in bokmål; a row's errors name the file's own column headers and stand as
text in the row; the export writes the choices as labels in the user's language and names the file in it; the
import reads the labels of both languages and the codes of older files, so exporting and importing back changes
nothing."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.import_export_formats import CSVFormat
from delegates.models import Participant
from delegates.resources import ChoicesWidget, ParticipantResource, export_filename
from tests.delegates.test_participant_import import _export, csv_file, good_rows, north_client, preview, world
from tests.factories import CongressFactory

pytestmark = pytest.mark.django_db

__all__ = ["north_client", "world"]  # the fixtures, imported for these tests

IMPORT_URL = "admin:delegates_participant_import"
PROCESS_URL = "admin:delegates_participant_process_import"

# What the library's pages said in English, none of which may be left on a bokmål page.
ENGLISH_ON_THE_PAGES = (
    "File to import",
    "Submit",
    "This importer will import",
    "Confirm import",
    "Below is a preview",
    "Some rows failed to validate",
    "Please correct these errors",
    "Import finished",
    ">Preview<",
    ">Errors<",
    ">Row<",
    ">New<",
    ">Skipped<",
    ">Import<",
)


def visible_text(response) -> str:
    """The page's text, without tags, scripts and styles, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def assert_no_english(response) -> None:
    page = response.content.decode()
    for english in ENGLISH_ON_THE_PAGES:
        assert english not in page, english


def labelled_row_errors(response) -> dict[str, list[str]]:
    """The errors shown as text in each row of the table of rows with errors: {row number: ["fylke: …", …]}."""
    page = response.content.decode()
    rows = {}
    for number, cell in re.findall(
        r'<th scope="row">(\d+)</th>\s*<td class="import-error-column">(.*?)</td>', page, flags=re.S
    ):
        rows[number] = [
            " ".join(re.sub(r"<[^>]+>", "", item).split()) for item in re.findall(r"<li>(.*?)</li>", cell, re.S)
        ]
    return rows


# --- The pages in bokmål --------------------------------------------------------------------------------------


def test_the_import_page_is_in_bokmal(secretariat_client, world):
    response = secretariat_client.get(reverse(IMPORT_URL))

    text = visible_text(response)
    assert "Fil som skal importeres" in text
    assert "Importen leser disse kolonnene" in text
    assert "Last opp og forhåndsvis" in response.content.decode()
    assert "Kjønn, rolle og valgt av kan skrives på bokmål eller engelsk" in text
    assert_no_english(response)


def test_the_change_list_offers_import_and_export_in_bokmal(secretariat_client, world):
    response = secretariat_client.get(reverse("admin:delegates_participant_changelist"))

    page = response.content.decode()
    assert 'class="import_link">Importer</a>' in page
    assert 'class="export_link">Eksporter</a>' in page


def test_the_export_page_names_the_columns_in_bokmal(secretariat_client, world):
    response = secretariat_client.get(reverse("admin:delegates_participant_export"))

    text = visible_text(response)
    assert "Eksporten tar med disse kolonnene" in text
    assert "Velg alle" in text
    assert "Kjønn" in text and "Valgt av (valgt_av)" in text
    for english in ("First Name", "Deputy Rank", "Elected By", "Select all", "This exporter"):
        assert english not in text, english


def test_the_preview_and_the_confirm_step_are_in_bokmal(secretariat_client, world):
    response = preview(secretariat_client, csv_file(good_rows()))

    text = visible_text(response)
    assert "Under ser du radene som blir importert" in text
    assert "Nye: 3, endret: 0, uendret: 0." in text
    assert "Forhåndsvisning" in text
    assert 'value="Bekreft importen"' in response.content.decode()
    assert text.count(" Ny ") >= 3  # each row's kind of change
    assert_no_english(response)

    done = secretariat_client.post(reverse(PROCESS_URL), response.context["confirm_form"].initial, follow=True)

    assert "Importen er ferdig. Nye: 3, endret: 0, uendret: 0." in visible_text(done)
    assert Participant.objects.count() == 3


# --- Errors under the file's own headers, as text in the row --------------------------------------------------


def test_row_errors_name_the_files_own_headers_and_show_as_text_in_bokmal(secretariat_client, world):
    header = ["År", "Fornavn", "Etternavn", "E-post", "Kjønn", "Fylkesnummer", "Rolle", "Vara nr", "Valgt av"]
    rows = [
        ["2024", "Per", "Ukjent", "per@x.no", "mann", "99", "delegat", "", ""],
        ["2024", "Tor", "Vara", "tor@x.no", "mann", "55", "vara", "", "fylkestinget"],
        ["2024", "Eva", "Rolle", "eva@x.no", "dronning", "55", "konge", "", "loddtrekning"],
        ["2024", "Ola", "Grei", "ola@x.no", "mann", "55", "delegat", "", ""],
    ]

    response = preview(secretariat_client, csv_file(rows, header=header))

    assert response.context.get("confirm_form") is None
    errors = labelled_row_errors(response)
    assert set(errors) == {"1", "2", "3"}
    assert errors["1"] == ["Fylkesnummer: Ukjent fylkesnummer 99."]
    assert errors["2"] == ["Vara nr: En varadelegat må ha vararang (1 for første varadelegat)."]
    assert [error.split(":")[0] for error in errors["3"]] == ["Kjønn", "Rolle", "Valgt av"]
    assert "Bruk en av disse: Kvinne, Mann, Annet eller ikke oppgitt." in errors["3"][0]
    page = response.content.decode()
    for internal in ("COUNTY", "DEPUTY_RANK", "deputy_rank", "elected_by", ">county<", ">gender<"):
        assert internal not in page, internal
    assert "validation-error-container" not in page  # no longer hidden in a hover badge
    text = visible_text(response)
    assert "Noen rader har feil" in text
    assert "3 rader har feil, og ingenting importeres før alle radene er riktige." in text
    # The table's headers are the file's, and the cell in error is marked next to its message.
    assert re.search(r'<th scope="col">Fylkesnummer</th>', page)
    assert '<td class="import-cell-error">99</td>' in page
    assert_no_english(response)


@pytest.mark.usefixtures("client_prefers_english")
def test_row_errors_in_english_name_the_files_headers_and_english_labels(secretariat_client, world):
    client = secretariat_client
    header = ["landsting", "first name", "last name", "email", "sex", "county", "role", "rank"]
    rows = [["2024", "Eva", "Rolle", "eva@x.no", "queen", "55", "deputy", ""]]

    response = preview(client, csv_file(rows, header=header))

    errors = labelled_row_errors(response)
    assert errors["1"][0] == "sex: “queen” is not a valid choice. Use one of: Female, Male, Other or not stated."
    assert errors["1"][1] == "rank: A deputy needs a rank (1 for the first deputy)."
    assert "1 row has errors, and nothing is imported until every row is correct." in visible_text(response)


def test_an_error_of_the_whole_row_stands_without_a_column(north_client, world):
    Participant.objects.create(
        congress=world["congress"], first_name="Siri", last_name="Berg", email="s@x.no", county=world["vestland"]
    )
    rows = [["2024", "Siri", "Berg", "s@x.no", "", "", "", "55", "", "delegat", "", "", ""]]

    response = preview(north_client, csv_file(rows))

    assert labelled_row_errors(response) == {"1": ["Denne deltakeren er ikke i dine fylker."]}


# --- The export in the user's language ------------------------------------------------------------------------


@pytest.fixture
def three(world):
    """A delegate elected by the county council, a deputy by the county meeting, and an observer with no gender."""
    common = {"congress": world["congress"], "county": world["troms"], "organisation": world["tromso"]}
    return [
        Participant.objects.create(
            **common,
            first_name="Kari",
            last_name="A",
            email="a@x.no",
            gender="female",
            role="delegate",
            elected_by="county_council",
        ),
        Participant.objects.create(
            **common,
            first_name="Ola",
            last_name="B",
            email="b@x.no",
            gender="male",
            role="deputy",
            deputy_rank=1,
            elected_by="county_meeting",
            elected_on=datetime.date(2023, 11, 20),
        ),
        Participant.objects.create(**common, first_name="Eli", last_name="C", email="c@x.no", role="observer"),
    ]


def exported_rows(response) -> dict[str, dict[str, str]]:
    return {row["epost"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def test_the_export_writes_bokmal_labels_and_a_bokmal_file_name(secretariat_client, three):
    response = _export(secretariat_client)

    rows = exported_rows(response)
    assert (rows["a@x.no"]["kjønn"], rows["a@x.no"]["rolle"], rows["a@x.no"]["valgt_av"]) == (
        "Kvinne",
        "Delegat",
        "Fylkestinget",
    )
    assert (rows["b@x.no"]["kjønn"], rows["b@x.no"]["rolle"], rows["b@x.no"]["valgt_av"]) == (
        "Mann",
        "Varadelegat",
        "Fylkesmøtet (kommunene)",
    )
    assert (rows["c@x.no"]["kjønn"], rows["c@x.no"]["rolle"], rows["c@x.no"]["valgt_av"]) == ("", "Observatør", "")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="deltakere-landstinget-2024-{today}.csv"'


@pytest.mark.usefixtures("client_prefers_english")
def test_the_export_writes_english_labels_and_an_english_file_name(secretariat_client, three):
    response = _export(secretariat_client)

    rows = exported_rows(response)
    assert (rows["a@x.no"]["kjønn"], rows["a@x.no"]["rolle"], rows["a@x.no"]["valgt_av"]) == (
        "Female",
        "Delegate",
        "County council",
    )
    assert rows["b@x.no"]["rolle"] == "Deputy"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="participants-landstinget-2024-{today}.csv"'


def test_the_file_name_of_several_congresses_has_none_and_spells_norwegian_letters_out():
    day = datetime.date(2026, 12, 2)
    with translation.override("nb"):
        assert export_filename(congresses=["A", "B"], extension="xlsx", day=day) == "deltakere-2026-12-02.xlsx"
        assert (
            export_filename(congresses=["Ekstraordinært landsting på Ås"], extension="csv", day=day)
            == "deltakere-ekstraordinaert-landsting-pa-as-2026-12-02.csv"
        )
    with translation.override("en"):
        assert export_filename(congresses=[], extension="csv", day=day) == "participants-2026-12-02.csv"


# --- The import reads both languages and the old codes ----------------------------------------------------------


def test_the_import_reads_labels_of_both_languages_and_the_old_codes(secretariat_client, world):
    def row(email, gender, role, rank, elected_by):
        return ["2024", "X", email, email, "", gender, "", "55", "5501", role, rank, elected_by, ""]

    rows = [
        row("nb@x.no", "Kvinne", "Varadelegat", "1", "Fylkestinget"),
        row("en@x.no", "Female", "Deputy", "2", "County council"),
        row("code@x.no", "female", "deputy", "3", "county_council"),
        row("nb2@x.no", "Annet eller ikke oppgitt", "Delegat for Samfunnsbedriftene", "", "I kraft av verv"),
        row("en2@x.no", "Other or not stated", "Samfunnsbedriftene delegate", "", "By virtue of office"),
    ]

    response = preview(secretariat_client, csv_file(rows))
    assert response.context.get("confirm_form") is not None, labelled_row_errors(response)
    secretariat_client.post(reverse(PROCESS_URL), response.context["confirm_form"].initial)

    imported = {p.email: (p.gender, p.role, p.elected_by) for p in Participant.objects.all()}
    assert imported == {
        "nb@x.no": ("female", "deputy", "county_council"),
        "en@x.no": ("female", "deputy", "county_council"),
        "code@x.no": ("female", "deputy", "county_council"),
        "nb2@x.no": ("other", "samfunnsbedriftene_delegate", "by_office"),
        "en2@x.no": ("other", "samfunnsbedriftene_delegate", "by_office"),
    }


@pytest.mark.parametrize(("export_in", "import_in"), [("nb", "nb"), ("en", "en"), ("nb", "en"), ("en", "nb")])
def test_an_export_imports_back_unchanged_in_either_language(client, secretariat, three, export_in, import_in):
    client.force_login(secretariat)
    history = sum(participant.history.count() for participant in three)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = export_in
    exported = _export(client).content
    deputy = exported_rows(_export(client))["b@x.no"]
    assert (deputy["rolle"], deputy["valgt_av"]) == {
        "nb": ("Varadelegat", "Fylkesmøtet (kommunene)"),
        "en": ("Deputy", "County meeting (municipalities)"),
    }[export_in]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = import_in

    response = preview(client, SimpleUploadedFile("eksport.csv", exported))

    assert response.context.get("confirm_form") is not None, labelled_row_errors(response)
    assert response.context["result"].totals["skip"] == 3
    assert response.context["result"].totals["update"] == 0
    assert sum(participant.history.count() for participant in three) == history


def test_two_congresses_in_one_year_export_the_name_which_imports_back(secretariat_client, world, three):
    CongressFactory(name="Ekstraordinært landsting 2024", year=2024)

    exported = _export(secretariat_client)

    assert {row["landsting"] for row in exported_rows(exported).values()} == {"Landstinget 2024"}
    response = preview(secretariat_client, SimpleUploadedFile("eksport.csv", exported.content))
    assert response.context["result"].totals["skip"] == 3


# --- Round trip, for any values -------------------------------------------------------------------------------

CHOICES = (Participant.Gender, Participant.Role, Participant.ElectedBy)


@given(
    choices=st.sampled_from(CHOICES).flatmap(lambda cls: st.tuples(st.just(cls), st.sampled_from(cls.values))),
    written_in=st.sampled_from(["nb", "en"]),
    read_in=st.sampled_from(["nb", "en"]),
)
def test_a_choice_reads_back_as_it_was_written_in_any_language(choices, written_in, read_in):
    choices_class, value = choices
    widget = ChoicesWidget(choices_class)
    with translation.override(written_in):
        text = widget.render(value)
        assert text == str(choices_class(value).label)  # the label in the language it was written in
    with translation.override(read_in):
        assert ChoicesWidget(choices_class).clean(text) == value
        assert widget.clean(text.upper()) == value  # a spreadsheet user's capitals change nothing


# Texts as a cell keeps them: the import strips a cell's surrounding spaces.
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12).filter(
    lambda text: text == text.strip()
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(
        st.fixed_dictionaries(
            {
                "first_name": PRINTABLE,
                "party": PRINTABLE,
                "gender": st.sampled_from(["", *Participant.Gender.values]),
                "role": st.sampled_from([value for value in Participant.Role.values if value != "deputy"]),
                "elected_by": st.sampled_from(["", *Participant.ElectedBy.values]),
            }
        ),
        min_size=1,
        max_size=4,
    ),
    written_in=st.sampled_from(["nb", "en"]),
    read_in=st.sampled_from(["nb", "en"]),
)
def test_exporting_and_importing_back_changes_nothing(world, people, written_in, read_in):
    participants = [
        Participant.objects.create(
            congress=world["congress"],
            last_name=f"P{number}",
            email=f"p{number}@x.no",
            county=world["troms"],
            organisation=world["tromso"],
            **fields,
        )
        for number, fields in enumerate(people)
    ]
    try:
        with translation.override(written_in):
            dataset = ParticipantResource().export(Participant.objects.filter(congress=world["congress"]))
            data = CSVFormat().export_data(dataset)
            roles = {str(Participant.Role(fields["role"]).label) for fields in people}
        assert {row["rolle"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))} == roles
        with translation.override(read_in):
            result = ParticipantResource().import_data(CSVFormat().create_dataset(data), dry_run=True)

        assert not result.has_errors() and not result.has_validation_errors(), [
            row.error_dict for row in result.invalid_rows
        ]
        assert result.totals["skip"] == len(people)
    finally:
        Participant.objects.filter(pk__in=[participant.pk for participant in participants]).delete()
