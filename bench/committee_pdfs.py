"""Time to render the committee PDFs of a congress-sized political document (issue 6).

Builds the data in a throw-away SQLite file database in a temporary directory (``migrate``, then plain model rows for
the congress and its delegates and the services of ``committees.services`` for everything else):

- a political document of about ``--lines`` numbered lines (80 characters a line) in ``--chapters`` chapters of
  Norwegian-looking paragraphs of 200-600 characters, generated deterministically (``random.Random(2024)``);
- one ordinary committee per chapter (7 members) and a drafting committee, with a secretary;
- ``--amendments`` amendments spread over the chapters, of every kind (replace a paragraph or some of its lines,
  insert, delete lines, new paragraph), submitted before the deadline in shuffled order; each changes a paragraph of
  its own, except ``--competing`` deliberately competing pairs (two replacements of the same lines, a replacement and
  a deletion, two new paragraphs after the same paragraph with one taken into the other, an insert inside a
  replacement) of which at most one is recommended and at most one adopted, so both final documents can be applied;
- a recommendation on every amendment (adopt, adopt as amended, reject, taken into another) and a plenary outcome on
  every one (adopted, adopted as the committee recommended, rejected; now and then not what the committee said);
- ``--statements`` statements from a KS body (Hovedstyret), with recommendations and outcomes;
- one extra committee "Alle kapitler" that handles every chapter (created through the ORM: only the admin form keeps
  a chapter to one committee). It is removed again after its rendering, so that the voting list names one committee
  a chapter.

Then renders, once to warm up (fonts, CSS parsing, templates) and ``--runs`` times timed, from
``committees.printing``: the numbered document, the recommendation of the ordinary committee with the most
amendments, the recommendation of "Alle kapitler" (every amendment), the final document on the plenary's decisions
and on the committees' recommendations, and the voting list. Prints the median, fastest and slowest wall-clock
seconds, the median CPU seconds of the process (steadier on a shared machine), the pages, the size and the SQL
queries per rendering. No target was set by issue 6; the documents are rendered while the staff user waits.

    .venv/bin/python bench/committee_pdfs.py [--runs 5] [--lines 600] [--amendments 60] [--keep-pdfs DIR] [--quick]

``--quick``: 240 lines in 4 chapters, 16 amendments with 4 competing pairs (one of each pattern), 3 statements,
40 delegates, one timed run of each document.
"""

import argparse
import collections
import datetime
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._shared import measure, parse_args  # noqa: E402

TMP = Path(tempfile.mkdtemp(prefix="ks-committee-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"  # an absolute path: sqlite:////tmp/...
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

LINE_LENGTH = 80
CONGRESS_NAME = "Landstinget 2024"
FIRST_DAY = datetime.date(2024, 2, 13)
ALL_CHAPTERS = "Alle kapitler"

CHAPTER_TITLES = [
    "Lokaldemokrati og tillit",
    "Kommuneøkonomi og handlingsrom",
    "Arbeidsgiverpolitikk og kompetanse",
    "Velferd, helse og oppvekst",
    "Klima, miljø og samfunnssikkerhet",
    "Digitalisering og innovasjon",
    "Samferdsel og infrastruktur",
    "Distrikt, by og regional utvikling",
    "Kultur, frivillighet og folkehelse",
    "Internasjonalt samarbeid",
]
SUBJECTS = [
    "Kommunene",
    "Fylkeskommunene",
    "Kommunesektoren",
    "Staten",
    "KS",
    "Regjeringen",
    "De folkevalgte",
    "Lokalsamfunnene",
    "Partene i arbeidslivet",
    "Kommunene og staten sammen",
    "Storting og regjering",
    "Innbyggerne",
]
VERBS = [
    "må få",
    "skal ha",
    "trenger",
    "bør sikre",
    "må prioritere",
    "vil arbeide for",
    "må styrke",
    "skal bidra til",
    "forventer",
    "må legge til rette for",
    "må ta ansvar for",
    "ønsker",
]
OBJECTS = [
    "et forutsigbart økonomisk handlingsrom",
    "likeverdige tjenester i hele landet",
    "flere hele stillinger",
    "bedre samhandling med sykehusene",
    "et tydelig ansvar for beredskap",
    "felles digitale løsninger",
    "kompetanse og rekruttering",
    "en trygg oppvekst for alle barn og unge",
    "mindre statlig detaljstyring",
    "full finansiering av nye oppgaver",
    "rom for lokale prioriteringer",
    "god informasjonssikkerhet og personvern",
    "en aktiv og kunnskapsbasert klimapolitikk",
    "tillit mellom innbyggerne og de folkevalgte",
    "et sterkt og levende lokaldemokrati",
    "vedlikehold av kommunale veier og bygg",
    "boliger som folk har råd til",
    "et godt kollektivtilbud i distriktene",
    "forebygging fremfor reparasjon",
    "trygge arbeidsplasser for fagarbeidere",
    "klimatilpasning og flomsikring",
    "en heltidskultur i helse og omsorg",
]
TAILS = [
    "",
    "",
    " i årene som kommer",
    " gjennom et forpliktende samarbeid",
    " uten nye øremerkede tilskudd",
    " i tråd med befolkningsutviklingen",
    " slik at tjenestene holder god kvalitet",
    " over hele landet",
    " for kommende generasjoner",
    " med kommunesektoren som likeverdig part",
    " og følge dette opp i statsbudsjettet",
    " der innbyggerne bor",
]
JUSTIFICATIONS = [
    "Teksten bør være tydeligere på hvem som har ansvaret.",
    "Finansieringen må nevnes uttrykkelig.",
    "Avsnittet gjentar det som står tidligere i kapitlet.",
    "Distriktene må få et tydeligere løfte.",
    "Formuleringen binder kommunene mer enn nødvendig.",
    "Forslaget følger opp vedtak i fylkesmøtet.",
    "Staten må forplikte seg, ikke bare kommunene.",
    "Ungdomsrådet ba om at dette kom med.",
]
STATEMENT_TITLES = [
    "Kommunene må få ta del i verdiskapingen fra kraft",
    "Ungdom i psykisk krise trenger hjelp nå",
    "Ferjetilbudet må sikres",
    "Beredskapen i kommunene må styrkes",
    "Fastlegeordningen må reddes",
    "Veivedlikeholdet kan ikke vente",
    "Nei til hets og trusler mot folkevalgte",
    "Flyktninger må bosettes raskt og godt",
    "Skolebyggene trenger et løft",
    "Matsikkerhet begynner i kommunene",
]
COUNTIES = [
    ("03", "Oslo"),
    ("11", "Rogaland"),
    ("15", "Møre og Romsdal"),
    ("18", "Nordland"),
    ("31", "Østfold"),
    ("32", "Akershus"),
    ("33", "Buskerud"),
    ("34", "Innlandet"),
    ("39", "Vestfold"),
    ("40", "Telemark"),
    ("42", "Agder"),
    ("46", "Vestland"),
    ("50", "Trøndelag"),
    ("55", "Troms"),
    ("56", "Finnmark"),
]
PLACE_STARTS = ["Sol", "Fjell", "Nord", "Vest", "Øster", "Lang", "Bjørk", "Elve", "Sjø", "Grøn", "Hav", "Myr"]
PLACE_ENDS = ["dal", "vik", "nes", "by", "fjord", "sund", "stad", "heim", "øy", "berg"]
FIRST_NAMES = ["Kari", "Ola", "Ingrid", "Lars", "Åse", "Bjørn", "Sølvi", "Håkon", "Marit", "Even", "Tone", "Øystein"]
LAST_NAMES = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg", "Haugen", "Bakken"]
LAST_NAMES += ["Solberg", "Dahl", "Lund", "Strand", "Sæther", "Ødegård", "Håland", "Kristiansen", "Moen", "Aas"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}."


def paragraph_text(rng: random.Random, low: int = 200, high: int = 600) -> str:
    """Sentences until about a random length between ``low`` and ``high`` characters."""
    target = rng.randint(low, high)
    text = sentence(rng)
    while len(text) < low or len(text) + 1 + 60 <= target:
        text += " " + sentence(rng)
    return text


def document_source(rng: random.Random, *, lines: int, chapters: int) -> str:
    """Markdown with ``chapters`` chapters of about ``lines`` numbered lines in all (each chapter an equal share)."""
    from committees.document_text import wrap_lines

    parts = ["# Kommunesektorens politiske prioriteringer 2024–2027 (ytelsestest)", ""]
    for number in range(chapters):
        share = lines // chapters + (1 if number < lines % chapters else 0)
        parts += [f"## {CHAPTER_TITLES[number % len(CHAPTER_TITLES)]}", ""]
        counted = 0
        while counted < share:
            text = paragraph_text(rng)
            lines_of_text = len(wrap_lines(text, LINE_LENGTH))
            if counted and counted + lines_of_text - share > share - counted:
                break  # stopping short is closer to the share than going over
            counted += lines_of_text
            parts += [text, ""]
    return "\n".join(parts)


# --- Amendment plan ------------------------------------------------------------------------------------------


def plan_amendments(rng: random.Random, paragraphs_by_chapter: dict, *, amendments: int, competing: int) -> list:
    """Rows of (chapter, kind, line_from, line_to, text, recommendation, committee text, outcome, merged_into key).

    ``merged_into`` is the index of another row. Every row but the competing pairs changes a paragraph of its own.
    """
    chapters = sorted(paragraphs_by_chapter, key=lambda chapter: chapter.number)
    per_chapter = {
        chapter: amendments // len(chapters) + (1 if index < amendments % len(chapters) else 0)
        for index, chapter in enumerate(chapters)
    }
    pair_chapters = [chapters[(2 * index) % len(chapters)] for index in range(competing)]
    rows: list[dict] = []
    for chapter in chapters:
        pairs = [index for index, pair_chapter in enumerate(pair_chapters) if pair_chapter == chapter]
        singles = per_chapter[chapter] - 2 * len(pairs)
        available = list(paragraphs_by_chapter[chapter])
        if singles < 0 or len(available) < singles + len(pairs):
            raise SystemExit(
                f"Chapter {chapter.number} has {len(available)} paragraphs, too few for {per_chapter[chapter]} "
                "amendments of their own: ask for more --lines or fewer --amendments."
            )
        chosen = rng.sample(available, singles + len(pairs))
        for pattern, paragraph in zip(pairs, chosen[: len(pairs)], strict=True):
            rows += competing_pair(rng, chapter, paragraph, pattern)
        for paragraph in chosen[len(pairs) :]:
            rows.append(single_amendment(rng, chapter, paragraph))
    return rows


def _row(chapter, kind, line_from, line_to, text, recommendation, outcome, rng, merged_into=None) -> dict:
    committee_text = ""
    if recommendation == "adopt_amended":
        committee_text = text.rstrip(".") + ", og tiltakene må fullfinansieres."
    return {
        "chapter": chapter,
        "kind": kind,
        "line_from": line_from,
        "line_to": line_to,
        "text": text if kind != "delete" else "",
        "justification": rng.choice(JUSTIFICATIONS),
        "recommendation": recommendation,
        "committee_text": committee_text,
        "outcome": outcome,
        "merged_into": merged_into,
    }


def single_amendment(rng: random.Random, chapter, paragraph) -> dict:
    first, last = paragraph.first_line, paragraph.last_line
    kind = rng.choices(["replace", "replace_lines", "insert", "delete", "new_paragraph"], [35, 15, 20, 15, 15])[0]
    if kind == "replace":
        line_from, line_to, text = first, last, paragraph_text(rng)
    elif kind == "replace_lines":
        kind = "replace"
        line_from = rng.randint(first, max(first, last - 1))
        line_to = min(last, line_from + rng.randint(0, 2))
        text = " ".join(sentence(rng) for _ in range(line_to - line_from + 1))
    elif kind == "delete":
        line_from = rng.randint(first, last)
        line_to = rng.randint(line_from, last)
        text = ""
    elif kind == "insert":
        line_from = line_to = rng.randint(first, last)
        text = sentence(rng)
    else:
        line_from = line_to = last
        text = paragraph_text(rng, 150, 400)
    choices = ["adopt", "reject"] if kind == "delete" else ["adopt", "adopt_amended", "reject"]
    recommendation = rng.choices(choices, [40, 25, 35][: len(choices)])[0]
    outcome = {"adopt": "adopted", "adopt_amended": "adopted_amended", "reject": "rejected"}[recommendation]
    if rng.random() < 0.15:  # now and then the plenary decides otherwise
        outcome = {"adopted": "rejected", "adopted_amended": "adopted", "rejected": "adopted"}[outcome]
    return _row(chapter, kind, line_from, line_to, text, recommendation, outcome, rng)


def competing_pair(rng: random.Random, chapter, paragraph, pattern: int) -> list[dict]:
    """Two amendments to the same lines; at most one is recommended and at most one adopted."""
    first, last = paragraph.first_line, paragraph.last_line  # at least 3 lines (200 characters or more)
    pattern %= 4
    if pattern == 0:  # two replacements
        return [
            _row(chapter, "replace", first, last, paragraph_text(rng), "adopt", "adopted", rng),
            _row(chapter, "replace", first + 1, last, paragraph_text(rng), "reject", "rejected", rng),
        ]
    if pattern == 1:  # a replacement and a deletion
        return [
            _row(chapter, "replace", first, last, paragraph_text(rng), "adopt_amended", "adopted_amended", rng),
            _row(chapter, "delete", first, first + 1, "", "reject", "rejected", rng),
        ]
    if pattern == 2:  # two new paragraphs after the same paragraph, the second taken into the first
        rows = [_row(chapter, "new_paragraph", last, last, paragraph_text(rng, 150, 400), "adopt", "adopted", rng)]
        rows.append(
            _row(chapter, "new_paragraph", first, first, paragraph_text(rng, 150, 400), "merged", "rejected", rng)
        )
        rows[1]["merged_into"] = rows[0]
        return rows
    # an insert inside a replacement: the committee recommends the replacement, the plenary adopts the insert
    return [
        _row(chapter, "replace", first, first + 1, sentence(rng) + " " + sentence(rng), "adopt", "rejected", rng),
        _row(chapter, "insert", first + 1, first + 1, sentence(rng), "reject", "adopted", rng),
    ]


# --- Data ----------------------------------------------------------------------------------------------------


def build(args):
    from agenda.models import Congress
    from committees import services
    from committees.models import Amendment, Committee, Paragraph
    from core.models import User
    from delegates.models import County, Organisation, Participant

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(2024)
    congress = Congress.objects.create(
        name=CONGRESS_NAME,
        year=2024,
        city="Trondheim",
        venue="Trondheim Spektrum",
        first_day=FIRST_DAY,
        last_day=FIRST_DAY + datetime.timedelta(days=1),
        registration_deadline=FIRST_DAY - datetime.timedelta(days=29),
    )
    secretariat = User.objects.create(email="sekretariat@example.no", first_name="Sekretariatet", is_superuser=True)
    secretary = User.objects.create(email="komite@example.no", first_name="Siri", last_name="Sekretær", is_staff=True)

    counties = [County.objects.get_or_create(number=number, defaults={"name": name})[0] for number, name in COUNTIES]
    organisations = []
    for index in range(args.delegates // 2):
        name = f"{PLACE_STARTS[index % len(PLACE_STARTS)]}{PLACE_ENDS[index // len(PLACE_STARTS) % len(PLACE_ENDS)]}"
        organisations.append(
            Organisation.objects.create(
                kind=Organisation.Kind.MUNICIPALITY,
                number=f"{9000 + index:04d}",
                name=f"{name} kommune",
                county=counties[index % len(counties)],
            )
        )
    delegates = []
    for index in range(args.delegates):
        organisation = organisations[index % len(organisations)]
        delegates.append(
            Participant.objects.create(
                congress=congress,
                first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(index * 7) % len(LAST_NAMES)],
                email=f"delegat{index}@example.no",
                role="delegate",
                elected_by="county_meeting",
                organisation=organisation,
                county=organisation.county,
            )
        )

    source = document_source(rng, lines=args.lines, chapters=args.chapters)
    loaded = services.political_document_load(
        congress=congress, text=source, text_format="markdown", line_length=LINE_LENGTH, user=secretariat
    )
    document = loaded.document
    deadline = datetime.datetime.combine(FIRST_DAY, datetime.time(0, 0), tzinfo=datetime.UTC)
    document.amendment_deadline = deadline - datetime.timedelta(days=14)
    document.save(update_fields=["amendment_deadline"])
    before_deadline = document.amendment_deadline - datetime.timedelta(days=7)

    chapters = list(document.chapters.order_by("number"))
    pool = list(delegates)
    rng.shuffle(pool)
    taken = iter(pool)
    committees = []
    for chapter in chapters:
        members = [next(taken) for _member in range(7)]
        committee = Committee.objects.create(
            congress=congress,
            name=f"Komité {chapter.number}: {chapter.title}",
            mandate=f"Behandle kapittel {chapter.number} om {chapter.title.lower()}.",
            chair=members[0],
            secretary=secretary,
        )
        committee.chapters.set([chapter])
        committee.members.set(members)
        committees.append(committee)
    drafting_members = [next(taken) for _member in range(5)]
    drafting = Committee.objects.create(
        congress=congress,
        name="Redaksjonskomiteen",
        kind=Committee.Kind.DRAFTING,
        mandate="Behandle forslag til uttalelser og innstille overfor Landstinget.",
        chair=drafting_members[0],
        secretary=secretary,
    )
    drafting.members.set(drafting_members)
    all_members = rng.sample(delegates, 7)
    everything = Committee.objects.create(
        congress=congress,
        name=ALL_CHAPTERS,
        mandate="Behandle hele dokumentet (ytelsestest).",
        chair=all_members[0],
        secretary=secretary,
    )
    everything.chapters.set(chapters)
    everything.members.set(all_members)

    paragraphs_by_chapter = {chapter: [] for chapter in chapters}
    by_pk = {chapter.pk: chapter for chapter in chapters}
    for paragraph in Paragraph.objects.filter(document=document).order_by("position"):
        paragraphs_by_chapter[by_pk[paragraph.chapter_id]].append(paragraph)
    plan = plan_amendments(rng, paragraphs_by_chapter, amendments=args.amendments, competing=args.competing)
    order = list(range(len(plan)))
    rng.shuffle(order)  # numbers are given in the order of submission, not in document order
    for index in order:
        row = plan[index]
        submitter = rng.choice(delegates)
        supporters = [person for person in rng.sample(delegates, rng.randint(1, 4)) if person != submitter]
        row["amendment"] = services.amendment_submit(
            document=document,
            submitter=submitter,
            chapter=row["chapter"],
            kind=row["kind"],
            line_from=row["line_from"],
            line_to=row["line_to"],
            text=row["text"],
            justification=row["justification"],
            supporters=supporters,
            now=before_deadline,
        )
    for row in sorted(plan, key=lambda row: row["recommendation"] == "merged"):  # targets first
        services.amendment_recommend(
            amendment=row["amendment"],
            recommendation=row["recommendation"],
            text=row["committee_text"],
            reason="Komiteen slutter seg til forslaget."
            if row["recommendation"].startswith("adopt")
            else "Komiteen mener teksten er dekkende som den står.",
            merged_into=row["merged_into"]["amendment"] if row["merged_into"] else None,
            user=secretary,
        )
        services.amendment_record_outcome(amendment=row["amendment"], outcome=row["outcome"], user=secretariat)

    for index in range(args.statements):
        text = paragraph_text(rng, 300, 800)
        statement = services.statement_register(
            congress=congress,
            title=STATEMENT_TITLES[index % len(STATEMENT_TITLES)],
            text=text,
            justification=sentence(rng),
            proposer_kind="ks_body",
            proposer_name="Hovedstyret",
            user=secretariat,
        )
        recommendation = ["adopt", "adopt_amended", "reject"][index % 3]
        services.statement_recommend(
            statement=statement,
            recommendation=recommendation,
            final_text=text + " Tiltakene må finansieres." if recommendation == "adopt_amended" else "",
            user=secretary,
        )
        outcome = {"adopt": "adopted", "adopt_amended": "adopted_amended", "reject": "rejected"}[recommendation]
        services.statement_record_outcome(statement=statement, outcome=outcome, user=secretariat)

    counts = collections.Counter(Amendment.objects.filter(document=document).values_list("chapter", flat=True))
    largest = max(committees, key=lambda committee: (counts[committee.chapters.get().pk], -committee.pk))
    summary = {
        "lines": loaded.lines,
        "chapters": loaded.chapters,
        "paragraphs": loaded.paragraphs,
        "kinds": collections.Counter(Amendment.objects.filter(document=document).values_list("kind", flat=True)),
        "recommendations": collections.Counter(row["recommendation"] for row in plan),
        "outcomes": collections.Counter(row["outcome"] for row in plan),
        "largest_count": counts[largest.chapters.get().pk],
        "committees": Committee.objects.filter(congress=congress).count(),
        "delegates": len(delegates),
    }
    return document, largest, everything, summary, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=600, help="about this many numbered lines")
    parser.add_argument("--chapters", type=int, default=8)
    parser.add_argument("--amendments", type=int, default=60)
    parser.add_argument("--competing", type=int, default=4, help="pairs of competing amendments among them")
    parser.add_argument("--statements", type=int, default=10)
    parser.add_argument("--delegates", type=int, default=120)
    parser.add_argument("--language", choices=["nb", "en"], default="nb")
    parser.add_argument("--keep-pdfs", type=Path, help="write the last rendering of each document into this directory")
    quick = {"runs": 1, "lines": 240, "chapters": 4, "amendments": 16, "competing": 4, "statements": 3, "delegates": 40}
    args = parse_args(parser, quick=quick)
    if args.delegates < 8 * args.chapters + 5:
        parser.error(f"--delegates: at least {8 * args.chapters + 5} for the committees")

    import weasyprint

    from committees import printing

    try:
        document, largest, everything, summary, build_seconds = build(args)
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, WeasyPrint {weasyprint.__version__}; "
            f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}"
        )
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(summary["kinds"].items()))
        recommendations = ", ".join(f"{key} {count}" for key, count in sorted(summary["recommendations"].items()))
        outcomes = ", ".join(f"{key} {count}" for key, count in sorted(summary["outcomes"].items()))
        print(
            f"data: {summary['lines']} lines, {summary['chapters']} chapters, {summary['paragraphs']} paragraphs "
            f"(line length {LINE_LENGTH}); {sum(summary['kinds'].values())} amendments ({kinds}; "
            f"{args.competing} competing pairs); recommendations: {recommendations}; outcomes: {outcomes}; "
            f"{args.statements} statements; {summary['committees']} committees; {summary['delegates']} delegates; "
            f"built in {build_seconds:.1f} s (SQLite, {TMP})"
        )
        print(f"language: {args.language}; warm-up 1, runs {args.runs}")
        largest_count = summary["largest_count"]
        language = args.language
        renderings = [
            ("numbered document", "document", lambda: printing.render_political_document(document, language=language)),
            (
                f"recommendation, {largest_count} am.",
                "recommendation_largest",
                lambda: printing.render_committee_recommendation(largest, language=language),
            ),
            (
                f"recommendation, all {sum(summary['kinds'].values())}",
                "recommendation_all",
                lambda: printing.render_committee_recommendation(everything, language=language),
            ),
            (
                "final (plenary)",
                "final_plenary",
                lambda: printing.render_final_document(document, basis="plenary", language=language),
            ),
            (
                "final (recommendation)",
                "final_recommendation",
                lambda: printing.render_final_document(document, basis="recommendation", language=language),
            ),
            ("voting list", "voting_list", lambda: printing.render_voting_list(document, language=language)),
        ]
        print(f"largest committee: {largest.name} ({largest_count} amendments)")
        print(f"{'':30}{'median s':>10}{'min s':>8}{'max s':>8}{'CPU s':>8}{'pages':>7}{'KiB':>7}{'queries':>9}")
        for name, filename, render in renderings:
            result = measure(render, args.runs)
            print(
                f"{name:30}{statistics.median(result['walls']):10.3f}{min(result['walls']):8.3f}"
                f"{max(result['walls']):8.3f}{statistics.median(result['cpus']):8.3f}{result['pages']:7d}"
                f"{result['bytes'] / 1024:7.0f}{result['queries']:9d}"
            )
            if filename == "recommendation_all":
                everything.delete()  # the voting list names the committees of each chapter
            if args.keep_pdfs:
                args.keep_pdfs.mkdir(parents=True, exist_ok=True)
                (args.keep_pdfs / f"{filename}_{args.language}.pdf").write_bytes(result["pdf"])
    finally:
        connection.close()
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
