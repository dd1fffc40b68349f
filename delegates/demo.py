"""Demo data for a new user's machine: Landstinget 2024 in Trondheim with the real counties and municipalities.

The 2024 mapping of KS' regional offices to counties is not known to us (only KS Viken's, from the source
documents), so every office is labelled as demo data.
"""

import datetime
import random
from dataclasses import dataclass

from django.dispatch import Signal

from agenda.models import Congress
from delegates.models import County, Organisation, Participant

#: Sent by ``seed_demo`` inside its transaction, with ``congresses`` (the demo congresses) and ``user`` (the demo
#: secretariat): apps that build on delegates (committees, elections) add their demo data without being imported here.
demo_seeded = Signal()
#: Sent first, with ``congresses`` (the demo congresses that already exist): such apps delete their demo data, so that
#: the delegates they refer to can be replaced.
demo_resetting = Signal()

DEMO_CONGRESS = {
    "name": "Landstinget 2024",
    "year": 2024,
    "city": "Trondheim",
    "venue": "Trondheim Spektrum",
    "first_day": datetime.date(2024, 2, 13),
    "last_day": datetime.date(2024, 2, 14),
    "registration_deadline": datetime.date(2024, 1, 15),
    "status": "concluded",  # over: no invitation can go out for it (issue 14)
}


def demo_registration_settings(congress_name: str) -> dict[str, str]:
    """A demo congress's travel text, naming that congress (an invitation quotes its own congress, not 2024's)."""
    return {
        "travel_information": (
            f"Reisen bestilles gjennom KS' reisebyrå. Oppgi «{congress_name}» og ditt navn ved bestilling.\n\n"
            "Hotellrom er reservert for delegatene; meld deg på med hotellnetter, så ordner KS rommet. "
            "Reise og opphold dekkes etter KS' regler for Landstinget. (Demotekst.)"
        ),
        "travel_information_en": (
            f"Book your journey through KS' travel agency, quoting «{congress_name}» and your name.\n\n"
            "Hotel rooms are reserved for the delegates: register your hotel nights and KS books the room. (Demo text.)"
        ),
    }


LANDSTING_INVITED_ROLES = _VOTERS_AND_GUESTS = [
    "delegate",
    "samfunnsbedriftene_delegate",
    "board_member",
    "observer",
    "guest",
    "press",
    "staff",
]

# The week of 2024 from the source documents: (title, English title, kind, start, end, invited roles, registration).
DEMO_PROGRAMME = [
    (
        "Hovedstyremøte",
        "Executive board meeting",
        "board_meeting",
        (11, 12, 0),
        (11, 17, 0),
        ["board_member", "staff"],
        False,
    ),
    (
        "Toppmøte for barn og unge",
        "Youth summit",
        "youth_summit",
        (12, 10, 0),
        (12, 15, 0),
        ["youth_council", "delegate", "board_member", "chief_executive", "staff"],
        True,
    ),
    (
        "Kommunedirektørenes toppmøte",
        "Chief executives' summit",
        "chief_executives_summit",
        (12, 13, 0),
        (12, 17, 0),
        ["chief_executive", "staff"],
        True,
    ),
    (
        "Kommunalpolitisk toppmøte (KPT)",
        "Municipal policy summit",
        "policy_summit",
        (13, 8, 45),
        (13, 15, 0),
        [*_VOTERS_AND_GUESTS, "chief_executive"],
        True,
    ),
    (
        "Landstinget: leders tale og generell politisk debatt",
        "Landsting: the leader's speech and general political debate",
        "landsting_session",
        (13, 15, 30),
        (13, 17, 30),
        _VOTERS_AND_GUESTS,
        True,
    ),
    (
        "Landstinget: politiske vedtak, valg og andre saker",
        "Landsting: political decisions, elections and other matters",
        "landsting_session",
        (14, 9, 15),
        (14, 15, 0),
        _VOTERS_AND_GUESTS,
        True,
    ),
]

_TUESDAY_SESSION = DEMO_PROGRAMME[4][0]
_WEDNESDAY_SESSION = DEMO_PROGRAMME[5][0]

# The agenda (saksliste) of Landstinget 2024: (number, title, English title, kind, session title, rapporteur,
# planned start (day of February, hour, minute), planned minutes). Rapporteurs are given by role. The items follow the
# source documents; the times are a plausible plan within the sessions.
DEMO_AGENDA = [
    (1, "Konstituering", "Constitution of the meeting", "constitution", _TUESDAY_SESSION, "Leder", (13, 15, 30), 15),
    (2, "Leders tale", "The leader's speech", "leader_speech", _TUESDAY_SESSION, "Leder", (13, 15, 45), 30),
    (
        3,
        "Generell politisk debatt",
        "General political debate",
        "general_debate",
        _TUESDAY_SESSION,
        "Dirigent",
        (13, 16, 15),
        75,
    ),
    (
        4,
        "Kommunesektorens politiske prioriteringer 2024–2027",
        "The local government sector's political priorities 2024–2027",
        "political_document",
        _WEDNESDAY_SESSION,
        "1. nestleder",
        (14, 9, 15),
        150,
    ),
    (5, "Uttalelser", "Statements", "statements", _WEDNESDAY_SESSION, "Redaksjonskomiteens leder", (14, 11, 45), 45),
    (6, "Valg", "Elections", "elections", _WEDNESDAY_SESSION, "Valgkomiteens leder", (14, 13, 15), 60),
    (
        7,
        "Kontingent",
        "Membership fee",
        "membership_fee",
        _WEDNESDAY_SESSION,
        "Administrerende direktør",
        (14, 14, 15),
        15,
    ),
    (8, "Vedtekter", "Statutes", "statutes", _WEDNESDAY_SESSION, "Administrerende direktør", (14, 14, 30), 20),
    (9, "Eventuelt", "Any other business", "other", _WEDNESDAY_SESSION, "Dirigent", (14, 14, 50), 10),
]
# The plenary's decisions on the agenda of Landstinget 2024, which is over (agenda item number → decision; demo text in
# the style of a protocol). The agenda PDF prints them and counts the items decided.
DEMO_AGENDA_DECISIONS = {
    1: "Innkallingen og sakslisten ble godkjent. Dirigenter, protokollførere, tellekorps og "
    "protokollunderskrivere ble valgt som foreslått. Forretningsordenen ble vedtatt.",
    2: "Landstinget tok leders tale til orientering.",
    3: "Debatten ble gjennomført. Landstinget tok debatten til orientering.",
    4: "Kommunesektorens politiske prioriteringer 2024–2027 ble vedtatt med de endringene landstinget vedtok "
    "(se voteringslisten).",
    5: "Uttalelsene ble vedtatt med de endringene redaksjonskomiteen innstilte på og landstinget vedtok.",
    6: "Valgene ble gjennomført; resultatene står i valgprotokollen.",
    7: "Kontingentsatsene ble vedtatt slik hovedstyret foreslo.",
    8: "Endringene i vedtektene ble vedtatt slik hovedstyret foreslo.",
    9: "Ingen saker var meldt under eventuelt.",
}

# A congress ahead of today, to try invitations and registration (Landstinget 2024's deadline has passed).
UPCOMING_CONGRESS = {"name": "Ekstraordinært landsting (demo)", "city": "Oslo", "venue": ""}
UPCOMING_DAYS_AHEAD = 60
UPCOMING_COUNTIES = ["31", "32", "33"]  # KS Viken's counties: the regional demo user can send the invitations
COPIED_PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "mobile",
    "gender",
    "party",
    "position",
    "organisation_id",
    "county_id",
    "role",
    "deputy_rank",
    "elected_by",
    "elected_on",
)

# (office name, e-mail, county numbers). KS Viken's counties are from the source documents; the rest is invented.
DEMO_REGIONAL_OFFICES = [
    ("KS Viken (demo)", "viken@ks-landsting.test", ["31", "32", "33"]),
    ("KS Oslo (demo)", "oslo@ks-landsting.test", ["03"]),
    ("KS Innlandet (demo)", "innlandet@ks-landsting.test", ["34"]),
    ("KS Vestfold og Telemark (demo)", "vestfold-telemark@ks-landsting.test", ["39", "40"]),
    ("KS Agder (demo)", "agder@ks-landsting.test", ["42"]),
    ("KS Rogaland (demo)", "rogaland@ks-landsting.test", ["11"]),
    ("KS Vestland (demo)", "vestland@ks-landsting.test", ["46"]),
    ("KS Møre og Romsdal (demo)", "more-romsdal@ks-landsting.test", ["15"]),
    ("KS Trøndelag (demo)", "trondelag@ks-landsting.test", ["50"]),
    ("KS Nord-Norge (demo)", "nord-norge@ks-landsting.test", ["18", "55", "56"]),
]

DEMO_SECRETARIAT_LOGIN = ("sekretariat@ks-landsting.test", "landsting2024")
DEMO_REGIONAL_LOGIN = ("viken@ks-landsting.test", "landsting2024")

# --- Generated delegates and deputies ------------------------------------------------------------------------

DEMO_EMAIL_DOMAIN = "demo.ks-landsting.test"
DEMO_SEED = 2024

FEMALE_FIRST_NAMES = [
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde", "Anna",
    "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin", "Bente", "Heidi", "Silje",
    "Hanne", "Gro", "Tone", "Camilla", "Ragnhild", "Siri", "Tove", "Guro", "Mona", "Linda", "Nora", "Sigrid",
    "Ellen", "Torild", "Mette", "Åse", "Karoline", "Line", "Synnøve", "Marte", "Ingeborg", "Sunniva",
]  # fmt: skip
MALE_FIRST_NAMES = [
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas", "Hans", "Geir", "Tor",
    "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "Rune", "Trond", "John", "Tore", "Anders", "Jon",
    "Espen", "Harald", "Stian", "Kristian", "Magnus", "Eirik", "Olav", "Sverre", "Gunnar", "Einar", "Håkon",
    "Øyvind", "Jørgen", "Sindre", "Vegard", "Torbjørn", "Helge", "Asbjørn", "Leif", "Steinar",
]  # fmt: skip
LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen",
    "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen",
    "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen",
    "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen",
    "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim", "Berge", "Moe", "Nygård",
    "Bakke", "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge", "Christensen", "Andresen", "Nielsen", "Knudsen",
    "Evensen", "Sæther", "Aas", "Myhre", "Hanssen", "Ahmed", "Haugland", "Thorsen", "Næss", "Brekke", "Sletten",
]  # fmt: skip

# Parties weighted roughly by the share of the votes in the 2023 municipal elections (per cent).
PARTY_WEIGHTS = [
    ("H", 25.9),
    ("Ap", 21.7),
    ("FrP", 11.4),
    ("Sp", 10.8),
    ("SV", 5.3),
    ("KrF", 4.2),
    ("V", 4.0),
    ("R", 3.8),
    ("MDG", 3.2),
    ("INP", 1.6),
    ("Lokal liste", 6.0),
]

SAMFUNNSBEDRIFTENE_POSITIONS = ["styreleder", "daglig leder", "styremedlem"]

# Demo counties that deliberately show a warning in the delegation overview (KS Viken shows two: its county
# meetings elected the municipalities' delegates, so Østfold's delegation is full).
DEMO_WARNING_ONE_DELEGATE_SHORT = "40"
DEMO_WARNING_GENDER = "32"
DEMO_WARNING_DEPUTY_MISSING = "33"
DEMO_WARNING_DUPLICATE_PERSON = "34"  # one of its deputies is a delegate of county 50 entered again


@dataclass(frozen=True)
class DemoCounty:
    """A county to fill: its organisations and its seats after the split."""

    county: County
    county_organisation: Organisation | None  # None for Oslo, which is one delegation
    municipalities: list[Organisation]
    county_seats: int
    municipal_seats: int


_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u"})


def demo_email(first_name: str, last_name: str, number: int) -> str:
    local = f"{first_name}.{last_name}".lower().translate(_ASCII).replace(" ", "-")
    return f"{local}.{number}@{DEMO_EMAIL_DOMAIN}"


class _PersonMaker:
    def __init__(self, *, congress: Congress, rng: random.Random, elected_on: datetime.date):
        self.congress = congress
        self.rng = rng
        self.elected_on = elected_on
        self.number = 0
        self.used_names: set[tuple[str, str]] = set()
        parties, weights = zip(*PARTY_WEIGHTS, strict=True)
        self.parties = list(parties)
        self.weights = list(weights)

    def person(self, *, gender: str, **fields) -> Participant:
        self.number += 1
        names = FEMALE_FIRST_NAMES if gender == Participant.Gender.FEMALE else MALE_FIRST_NAMES
        # Distinct names, so that the overview's "perhaps the same person twice" shows only the deliberate case.
        while True:
            first_name = self.rng.choice(names)
            last_name = self.rng.choice(LAST_NAMES)
            if (first_name, last_name) not in self.used_names:
                self.used_names.add((first_name, last_name))
                break
        return Participant(
            congress=self.congress,
            first_name=first_name,
            last_name=last_name,
            email=demo_email(first_name, last_name, self.number),
            mobile=f"9{self.rng.randrange(10_000_000):07d}",
            gender=gender,
            party=fields.pop("party", None) or self.rng.choices(self.parties, self.weights)[0],
            elected_on=self.elected_on,
            **fields,
        )

    def genders(self, count: int, *, skewed: bool = False) -> list[str]:
        """Balanced genders in a random order; ``skewed`` gives a delegation where women are about a third."""
        female, male = Participant.Gender.FEMALE, Participant.Gender.MALE
        if skewed:
            women = count // 3
            genders = [female] * women + [male] * (count - women)
        else:
            first, second = (female, male) if self.rng.random() < 0.5 else (male, female)
            genders = [first if i % 2 == 0 else second for i in range(count)]
        self.rng.shuffle(genders)
        return genders

    def delegation(
        self,
        *,
        county: County,
        elected_by: str,
        seats: int,
        organisations: list[Organisation],
        positions: list[str],
        deputy_position: str,
        short: bool = False,
        deputy_missing: bool = False,
        skewed: bool = False,
    ) -> list[Participant]:
        delegates = seats - 1 if short else seats
        deputies = max(delegates - 1, 0) if deputy_missing else delegates
        people = []
        for index, gender in enumerate(self.genders(delegates, skewed=skewed)):
            people.append(
                self.person(
                    gender=gender,
                    county=county,
                    organisation=organisations[index % len(organisations)],
                    role=Participant.Role.DELEGATE,
                    elected_by=elected_by,
                    position=positions[index] if index < len(positions) else positions[-1],
                )
            )
        for rank, gender in enumerate(self.genders(deputies), start=1):
            people.append(
                self.person(
                    gender=gender,
                    county=county,
                    organisation=organisations[(delegates + rank - 1) % len(organisations)],
                    role=Participant.Role.DEPUTY,
                    deputy_rank=rank,
                    elected_by=elected_by,
                    position=deputy_position,
                )
            )
        return people


def build_demo_participants(
    *,
    congress: Congress,
    counties: list[DemoCounty],
    samfunnsbedriftene: Organisation,
    samfunnsbedriftene_seats: int,
) -> list[Participant]:
    """Unsaved delegates and deputies for every county matching its seats, and Samfunnsbedriftene's delegates.

    Deterministic (seeded), and with a few deliberate faults so that the delegation overview shows its warnings.
    """
    maker = _PersonMaker(
        congress=congress,
        rng=random.Random(DEMO_SEED),  # noqa: S311 -- demo data, not secrets
        elected_on=datetime.date(congress.year - 1, 11, 15),
    )
    people: list[Participant] = []
    by_number: dict[str, list[Participant]] = {}
    for demo in counties:
        number = demo.county.number
        municipalities = list(demo.municipalities)
        maker.rng.shuffle(municipalities)
        if demo.county_organisation is None:
            # Oslo: the city council elects one delegation for the municipality and county municipality.
            county_people = maker.delegation(
                county=demo.county,
                elected_by=Participant.ElectedBy.COUNTY_COUNCIL,
                seats=demo.municipal_seats,
                organisations=municipalities,
                positions=["ordfører", "varaordfører", "bystyremedlem"],
                deputy_position="bystyremedlem",
            )
        else:
            county_people = maker.delegation(
                county=demo.county,
                elected_by=Participant.ElectedBy.COUNTY_COUNCIL,
                seats=demo.county_seats,
                organisations=[demo.county_organisation],
                positions=["fylkesordfører", "fylkesvaraordfører", "fylkestingsmedlem"],
                deputy_position="fylkestingsmedlem",
            )
            mayors = max(1, demo.municipal_seats * 3 // 4)
            county_people += maker.delegation(
                county=demo.county,
                elected_by=Participant.ElectedBy.COUNTY_MEETING,
                seats=demo.municipal_seats,
                organisations=municipalities,
                positions=["ordfører"] * mayors + ["varaordfører", "kommunestyremedlem"],
                deputy_position="kommunestyremedlem",
                short=number == DEMO_WARNING_ONE_DELEGATE_SHORT,
                deputy_missing=number == DEMO_WARNING_DEPUTY_MISSING,
                skewed=number == DEMO_WARNING_GENDER,
            )
        by_number[number] = county_people
        people += county_people
    if DEMO_WARNING_DUPLICATE_PERSON in by_number and "50" in by_number:
        # The same person entered twice (same mobile), with a private address the second time: the overview asks.
        original = by_number["50"][0]
        copy = next(p for p in by_number[DEMO_WARNING_DUPLICATE_PERSON] if p.role == Participant.Role.DEPUTY)
        for name in ("first_name", "last_name", "gender", "party", "mobile"):
            setattr(copy, name, getattr(original, name))
        local, domain = original.email.split("@")
        copy.email = f"{local}.privat@{domain}"
    for index, gender in enumerate(maker.genders(samfunnsbedriftene_seats)):
        people.append(
            maker.person(
                gender=gender,
                organisation=samfunnsbedriftene,
                role=Participant.Role.SAMFUNNSBEDRIFTENE_DELEGATE,
                elected_by=Participant.ElectedBy.SAMFUNNSBEDRIFTENE,
                position=SAMFUNNSBEDRIFTENE_POSITIONS[min(index, 2)],
            )
        )
    return people
