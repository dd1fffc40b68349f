"""Demo committee work for ``seed_demo``: a political document, six committees and a drafting committee, amendments,
statements, recommendations and (for the 2024 congress, which is over) plenary outcomes.

The document text is written for the demo; it is not KS' adopted document. ``seed_demo`` lives in ``delegates``,
which must not import this app: it sends ``delegates.demo.demo_seeded`` and :func:`seed` listens.
"""

import datetime
import random

from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from agenda.models import AgendaItem, Congress
from committees.apps import COMMITTEE_SECRETARY_GROUP
from committees.models import Amendment, Committee, Paragraph, PoliticalDocument, Statement, StatementSettings
from committees.services import (
    amendment_recommend,
    amendment_record_outcome,
    amendment_submit,
    political_document_load,
    statement_recommend,
    statement_record_outcome,
    statement_register,
    statement_submit,
)
from core.deadlines import DEADLINE_TIME_ZONE
from delegates.models import Organisation, Participant

DEMO_SECRETARY_LOGIN = ("komite@ks-landsting.test", "landsting2024")

DEMO_DOCUMENT_TITLE = "Kommunesektorens politiske prioriteringer (demo)"
DEMO_DOCUMENT = """# Kommunesektorens politiske prioriteringer (demo)

## Lokaldemokrati og tillit

Kommunene og fylkeskommunene er grunnmuren i det norske demokratiet. Innbyggerne møter fellesskapet i barnehagen, på \
skolen, i helsetjenestene og i kommunestyresalen, og tilliten til offentlig sektor bygges der.

Et levende lokaldemokrati krever at de folkevalgte har reell makt over prioriteringene. Statlig detaljstyring gjennom \
øremerking, bemanningsnormer og omfattende rapportering flytter makt bort fra innbyggerne og deres valgte \
representanter.

KS vil arbeide for at flere unge, flere med innvandrerbakgrunn og flere med funksjonsnedsettelser stiller til valg, og \
for at folkevalgte som opplever hets og trusler får støtte og beskyttelse.

## Kommuneøkonomi og handlingsrom

Kommunesektoren trenger en forutsigbar økonomi som følger utviklingen i befolkningen. Veksten i de frie inntektene må \
minst dekke de demografiske kostnadene og nye oppgaver.

- Nye oppgaver og reformer skal være fullfinansiert fra første dag.
- Inntektssystemet må gi likeverdige muligheter til gode tjenester i hele landet.
- Ordninger med statlige tilskudd må forenkles, og flere tilskudd bør legges inn i rammen.

Kommunene må selv kunne prioritere mellom tjenester, investeringer og vedlikehold ut fra lokale behov.

## Arbeidsgiverpolitikk og kompetanse

Kommunesektoren er landets største arbeidsgiver. Rekruttering av sykepleiere, lærere, ingeniører og fagarbeidere er en \
felles utfordring som krever nye løsninger.

En heltidskultur er avgjørende for kvaliteten i tjenestene og for å beholde medarbeiderne. KS vil sammen med partene \
arbeide for flere hele stillinger og bedre kompetanseutvikling.

Tjenestene må organiseres slik at kompetansen brukes riktig, og teknologi må tas i bruk der den frigjør tid til \
innbyggerne.

## Velferd, helse og oppvekst

Alle barn og unge skal ha en trygg oppvekst og en god skole. Kommunene trenger tid og ro til å gjennomføre reformene i \
barnevernet og skolen.

Den demografiske utviklingen gir flere eldre med behov for helse- og omsorgstjenester. Staten og kommunene må sammen \
prioritere forebygging, rehabilitering og bolig fremfor institusjon.

Samhandlingen mellom sykehusene og kommunene må bygge på likeverdige parter, og oppgaver må ikke overføres uten at \
ressursene følger med.

## Klima, miljø og samfunnssikkerhet

Kommunesektoren er en nøkkelaktør i omstillingen til et lavutslippssamfunn og i arbeidet med klimatilpasning. Det \
krever kompetanse, finansiering og et tydelig handlingsrom i planleggingen.

Ekstremvær, flom og skred rammer kommunene først. Staten må bidra mer til forebygging, og ordningene for \
erstatning og gjenoppbygging må være enkle og forutsigbare.

Beredskap er et felles ansvar. Kommunene trenger oppdaterte risikoanalyser og øvelser sammen med nødetatene, \
Forsvaret og frivilligheten.

## Digitalisering og innovasjon

Innbyggerne forventer digitale tjenester som henger sammen på tvers av kommune og stat. Felles løsninger må utvikles \
i samarbeid, med kommunesektoren som likeverdig part.

Informasjonssikkerhet og personvern må ivaretas i alle løsninger. Kommunene trenger støtte til å forebygge og håndtere \
digitale angrep.

KS vil legge til rette for at kommunene deler erfaringer, og for at gode løsninger tas i bruk i hele sektoren.
"""

# (name, mandate, chapter numbers)
DEMO_COMMITTEES = [
    ("Komité 1: Lokaldemokrati", "Behandle kapittel 1 om lokaldemokrati og tillit.", [1]),
    ("Komité 2: Økonomi", "Behandle kapittel 2 om kommuneøkonomi og handlingsrom.", [2]),
    ("Komité 3: Arbeidsgiver", "Behandle kapittel 3 om arbeidsgiverpolitikk og kompetanse.", [3]),
    ("Komité 4: Velferd", "Behandle kapittel 4 om velferd, helse og oppvekst.", [4]),
    ("Komité 5: Klima og beredskap", "Behandle kapittel 5 om klima, miljø og samfunnssikkerhet.", [5]),
    ("Komité 6: Digitalisering", "Behandle kapittel 6 om digitalisering og innovasjon.", [6]),
]
DRAFTING_COMMITTEE = ("Redaksjonskomiteen", "Behandle forslag til uttalelser og innstille overfor Landstinget.")

# (chapter, paragraph of the chapter (0-based), kind, proposed text, justification, recommendation, the committee's
# text when it amends, plenary outcome). Replace and delete take the whole paragraph; insert and new paragraph its
# last line.
DEMO_AMENDMENTS = [
    (
        1,
        1,
        "replace",
        "Et levende lokaldemokrati krever at de folkevalgte har reell makt over prioriteringene. Statlig "
        "detaljstyring gjennom øremerking, bemanningsnormer, rettighetsfesting og omfattende rapportering flytter makt "
        "bort fra innbyggerne og deres valgte representanter.",
        "Rettighetsfesting binder kommunene like mye som normer.",
        "adopt",
        "",
        "adopted",
    ),
    (
        1,
        2,
        "insert",
        "Partiene har et særlig ansvar for å rekruttere bredt.",
        "Partiene nominerer kandidatene.",
        "adopt_amended",
        "Partiene har et særlig ansvar for å rekruttere bredt og for å følge opp sine folkevalgte.",
        "adopted_amended",
    ),
    (1, 2, "delete", "", "Avsnittet hører hjemme i partienes egne program.", "reject", "", "rejected"),
    (
        2,
        4,
        "new_paragraph",
        "Kommunene må kompenseres fullt ut for merutgifter ved høy prisvekst.",
        "Prisveksten har tært på handlingsrommet.",
        "adopt",
        "",
        "adopted",
    ),
    (
        2,
        0,
        "replace",
        "Kommunesektoren trenger en forutsigbar økonomi. Veksten i de frie inntektene må dekke "
        "demografi, nye oppgaver og økte pensjonskostnader.",
        "Pensjon må nevnes.",
        "merged",
        "",
        "withdrawn",
    ),
    (
        2,
        0,
        "replace",
        "Kommunesektoren trenger en forutsigbar økonomi som følger utviklingen i befolkningen. Veksten "
        "i de frie inntektene må minst dekke de demografiske kostnadene, nye oppgaver og pensjonskostnadene, og gi rom "
        "for lokale satsinger.",
        "Kommunene trenger rom for egne satsinger.",
        "adopt",
        "",
        "adopted",
    ),
    (3, 1, "insert", "Kommunene må tilby flere læreplasser.", "Fagarbeidere er en mangelvare.", "adopt", "", "adopted"),
    (
        4,
        0,
        "replace",
        "Alle barn og unge skal ha en trygg oppvekst og en god skole. Kommunene trenger tid, ro og full "
        "finansiering for å gjennomføre reformene i barnevernet og skolen.",
        "Reformene er ikke finansiert.",
        "adopt_amended",
        "Alle barn og unge skal ha en trygg oppvekst og en god skole. Kommunene trenger tid, ro og "
        "forutsigbar finansiering for å gjennomføre reformene i barnevernet og skolen.",
        "adopted_amended",
    ),
    (5, 1, "delete", "", "Erstatningsordningene er statens ansvar og hører ikke hjemme her.", "reject", "", "rejected"),
    (
        6,
        2,
        "new_paragraph",
        "Kunstig intelligens skal brukes ansvarlig og åpent i forvaltningen.",
        "Kunstig intelligens endrer forvaltningen raskt.",
        "adopt",
        "",
        "adopted",
    ),
]

DEMO_STATEMENTS = [
    (
        "Kommunene må få ta del i verdiskapingen fra kraft",
        "delegates",
        "Landstinget krever at vertskommunene for kraftproduksjon får en rimelig andel av verdiskapingen, også fra ny "
        "fornybar energi.",
        "adopt",
        "adopted",
    ),
    (
        "Ungdom i psykisk krise trenger hjelp nå",
        "ks_body",
        "Landstinget ber regjeringen styrke de psykiske helsetjenestene for barn og unge og korte ned ventetidene.",
        "adopt_amended",
        "adopted_amended",
    ),
    (
        "Ferjetilbudet må sikres",
        "member",
        "Landstinget ber staten sikre et ferjetilbud som gjør det mulig å bo og arbeide i kystkommunene.",
        "reject",
        "rejected",
    ),
]


def seed(sender=None, *, congresses: list[Congress], user, **kwargs) -> None:
    """Receiver of ``delegates.demo.demo_seeded``: committee work for each demo congress (idempotent)."""
    secretary = _secretary()
    for congress in congresses:
        _seed_congress(congress=congress, secretariat=user, secretary=secretary)


def reset(sender=None, *, congresses: list[Congress], **kwargs) -> None:
    """Receiver of ``delegates.demo.demo_resetting``: the committee work refers to delegates who are about to go."""
    Amendment.objects.filter(document__congress__in=congresses).delete()
    Statement.objects.filter(congress__in=congresses).delete()
    Committee.objects.filter(congress__in=congresses).delete()
    PoliticalDocument.objects.filter(congress__in=congresses).delete()


def _secretary():
    from core.models import User

    email, password = DEMO_SECRETARY_LOGIN
    user, _created = User.objects.get_or_create(email=email)
    user.first_name, user.last_name = "Komitésekretær", "(demo)"
    user.is_staff, user.is_superuser = True, False
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=COMMITTEE_SECRETARY_GROUP))
    return user


def _seed_congress(*, congress: Congress, secretariat, secretary) -> None:
    reset(congresses=[congress])
    result = political_document_load(
        congress=congress, text=DEMO_DOCUMENT, text_format="markdown", line_length=80, user=secretariat
    )
    document = result.document
    is_over = congress.last_day < timezone.localdate()
    # Deadlines are dates, open through that day in Oslo time (core.deadlines).
    first_day = congress.first_day
    document.amendment_deadline = first_day - datetime.timedelta(days=14)
    document.agenda_item = AgendaItem.objects.filter(congress=congress, kind="political_document").first()
    document.save(update_fields=["amendment_deadline", "agenda_item"])
    StatementSettings.objects.update_or_create(
        congress=congress,
        defaults={"statement_deadline": first_day - datetime.timedelta(days=3), "statement_min_supporters": 5},
    )
    before_deadline = datetime.datetime.combine(
        document.amendment_deadline - datetime.timedelta(days=7), datetime.time(12, 0), tzinfo=DEADLINE_TIME_ZONE
    )

    delegates = list(
        Participant.objects.filter(congress=congress, status=Participant.Status.ACTIVE)
        .filter(Q(role__in=Participant.VOTING_ROLES))
        .select_related("organisation")
        .order_by("pk")
    )
    if len(delegates) < 30:
        return
    chooser = random.Random(f"committees-{congress.pk}")  # noqa: S311 - demo data, not security
    pool = list(delegates)
    chooser.shuffle(pool)
    size = 7 if len(pool) >= 100 else 3
    taken = iter(pool)
    chapters = {chapter.number: chapter for chapter in document.chapters.all()}
    for index, (name, mandate, numbers) in enumerate(DEMO_COMMITTEES):
        members = [next(taken) for _member in range(size)]
        committee = Committee.objects.create(
            congress=congress,
            name=name,
            mandate=mandate,
            chair=members[0],
            secretary=secretary if index == 0 else None,
            recommendation_published=is_over or index == 0,
        )
        committee.chapters.set([chapters[number] for number in numbers])
        committee.members.set(members)
    drafting_members = [next(taken) for _member in range(5)]
    drafting = Committee.objects.create(
        congress=congress,
        name=DRAFTING_COMMITTEE[0],
        kind=Committee.Kind.DRAFTING,
        mandate=DRAFTING_COMMITTEE[1],
        chair=drafting_members[0],
        secretary=secretary,
        recommendation_published=is_over,
    )
    drafting.members.set(drafting_members)

    paragraphs = {
        number: list(Paragraph.objects.filter(chapter=chapter).order_by("position"))
        for number, chapter in chapters.items()
    }
    amendments = []
    for index, (number, paragraph_index, kind, text, justification, *_decisions) in enumerate(DEMO_AMENDMENTS):
        paragraph = paragraphs[number][paragraph_index]
        whole = kind in ("replace", "delete")
        submitter = pool[(size * 6 + 5 + index) % len(pool)]
        supporters = [pool[(index * 3 + offset) % len(pool)] for offset in range(2)]
        amendments.append(
            amendment_submit(
                document=document,
                submitter=submitter,
                chapter=chapters[number],
                kind=kind,
                line_from=paragraph.first_line if whole else paragraph.last_line,
                line_to=paragraph.last_line,
                text=text,
                justification=justification,
                supporters=[person for person in supporters if person != submitter],
                now=before_deadline,
            )
        )
    for index, (amendment, row) in enumerate(zip(amendments, DEMO_AMENDMENTS, strict=True)):
        recommendation, committee_text, outcome = row[5], row[6], row[7]
        if not is_over and index % 2:
            continue  # the upcoming congress: the committees are halfway
        amendment_recommend(
            amendment=amendment,
            recommendation=recommendation,
            text=committee_text,
            reason="Komiteen slutter seg til forslaget."
            if recommendation.startswith("adopt")
            else "Komiteen mener teksten er dekkende som den står.",
            merged_into=amendments[index + 1] if recommendation == "merged" else None,
            user=secretary,
        )
        if is_over and outcome:
            amendment_record_outcome(amendment=amendment, outcome=outcome, user=secretariat)

    organisation = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, county__number="18").first()
    for index, (title, proposer_kind, text, recommendation, outcome) in enumerate(DEMO_STATEMENTS):
        if proposer_kind == "delegates":
            statement = statement_submit(
                congress=congress,
                submitter=pool[-1],
                title=title,
                text=text,
                justification="",
                supporters=pool[-7:-1],
                now=before_deadline,
            )
        else:
            statement = statement_register(
                congress=congress,
                title=title,
                text=text,
                proposer_kind=proposer_kind,
                proposer_name="Hovedstyret" if proposer_kind == "ks_body" else "",
                organisation=organisation if proposer_kind == "member" else None,
                user=secretariat,
            )
        if not is_over and index:
            continue
        statement_recommend(
            statement=statement,
            recommendation=recommendation,
            final_text=text + " Tiltakene må finansieres." if recommendation == "adopt_amended" else "",
            reason="",
            user=secretary,
        )
        if is_over:
            statement_record_outcome(statement=statement, outcome=outcome, user=secretariat)
