"""The surveys' demo for ``seed_demo`` (listening to ``delegates.demo.demo_seeded`` and ``demo_resetting``, like the
other apps' demos).

Landstinget 2024 is over and so is its evaluation: opened at midnight after the last day (15 February 2024), closed on
1 March 2024. Ten questions of every kind in bokmål and English — one asked only of those invited to (or checked in at)
Kommunalpolitisk toppmøte, one only of those of Toppmøte for barn og unge — answered by about 150 of the demo
participants, as ``services.survey_submit`` stores answers: a ``Respondent`` for who answered, and apart from it an
``AnswerSet`` (the participant's county) with its ``Answer`` rows, under random keys and in a shuffled order; each
answers only the questions ``selectors.questions_for`` asks them, every required one. A few participants left a
``Draft`` and never submitted. The answers are drawn with a seeded generator, so every seed gives the same figures.

The seeds cite the evaluation of Landstinget 2020 ("a political workshop with real political debates"), which was
made in a separate survey tool. So that the results can be compared, the demo adds the concluded "Landstinget 2020"
(its dates are invented: the seeds give none) with that evaluation as imported from the old tool: answer sets without
respondents or counties, which the old tool did not keep. The 2024 questions asked again point to theirs
(``Question.compare_with``). The extraordinary demo congress has no survey: it has not happened.
"""

from __future__ import annotations

import datetime
import random

from agenda.models import Congress, Event
from delegates import demo as delegates_demo
from delegates.models import Attendance, Participant
from surveys.models import Answer, AnswerSet, Choice, Draft, Question, Respondent, Survey
from surveys.selectors import events_checked_in_at, events_invited_to
from surveys.services import question_field

DEMO_SEED = "surveys-demo"
RESPONDENTS_DELEGATES = 140  # of the delegates (Samfunnsbedriftene's too) …
RESPONDENTS_DEPUTIES = 10  # … and of the deputies
DRAFTS = 12
EARLIER_ANSWER_SETS = 172

EARLIER_CONGRESS = {
    "name": "Landstinget 2020",
    "year": 2020,
    "city": "Oslo",
    "venue": "",
    "first_day": datetime.date(2020, 2, 11),
    "last_day": datetime.date(2020, 2, 12),
    "registration_deadline": datetime.date(2020, 1, 13),
    "status": "concluded",
}

SURVEY_2024 = {
    "title": "Evaluering av Landstinget 2024",
    "title_en": "Evaluation of Landstinget 2024",
    "intro": (
        "Takk for at du var med på Landstinget 2024 i Trondheim! Svarene dine hjelper oss å gjøre neste landsting "
        "bedre. Undersøkelsen tar om lag fem minutter."
    ),
    "intro_en": (
        "Thank you for taking part in Landstinget 2024 in Trondheim! Your answers help us make the next Landsting "
        "better. The survey takes about five minutes."
    ),
    "closes_on": datetime.date(2024, 3, 1),
    "reminder_days_before": 3,
}
SURVEY_2020 = {
    "title": "Evaluering av Landstinget 2020",
    "title_en": "Evaluation of Landstinget 2020",
    "intro": (
        "Evalueringen av Landstinget 2020 ble gjort i et eget spørreverktøy og er hentet inn hit i etterkant. "
        "Svarene er med, men ikke hvem som svarte eller hvilket fylke de kom fra: det gamle verktøyet tok ikke vare "
        "på det."
    ),
    "intro_en": (
        "The evaluation of Landstinget 2020 was made in a separate survey tool and imported here afterwards. The "
        "answers are here, but not who answered or which county they came from: the old tool did not keep that."
    ),
    "closes_on": datetime.date(2020, 3, 2),
    "reminder_days_before": 3,
}

SCALE, SINGLE, MULTIPLE, FREE = (
    Question.Kind.SCALE_1_5,
    Question.Kind.SINGLE_CHOICE,
    Question.Kind.MULTIPLE_CHOICE,
    Question.Kind.FREE_TEXT,
)

USEFUL_PARTS = [
    ("Leders tale", "The leader's speech"),
    ("Den generelle politiske debatten", "The general political debate"),
    ("Komitéarbeidet med det politiske dokumentet", "The committees' work on the political document"),
    ("Uttalelsene", "The statements"),
    ("Valgene", "The elections"),
    ("Samtalene med andre folkevalgte i pausene", "Talking with other elected representatives in the breaks"),
]
TRAVEL = [("Fly", "Plane"), ("Tog", "Train"), ("Bil", "Car"), ("Buss", "Bus"), ("Annet", "Other")]

CHANGE_TEXTS = [
    "Mer tid til komitéarbeidet, og færre innlegg fra talerstolen som bare gjentar det som er sagt.",
    "Talelisten på mobilen fungerte godt. Skjermen i salen burde vise hvem som står som neste taler.",
    "Lunsjen ble for kort når det var kø ved garderoben. Legg inn et kvarter ekstra.",
    "Sakspapirene kom sent. Send dem minst tre uker før, så vi rekker å drøfte dem i formannskapet.",
    "Flere kvinner og unge på talerstolen – kanskje egne innlegg fra ungdomsrådene?",
    "Godt arrangert! Hotellet lå litt langt unna Spektrum; en buss morgen og kveld hadde vært fint.",
    "Bedre tid mellom Kommunalpolitisk toppmøte og landstinget, det ble et kappløp å rekke fram.",
    "Uttalelsene bør behandles tidligere på dagen, ikke i siste økt når mange har dratt.",
    "Gi delegatene opplæring i voteringssystemet før første votering.",
    "Færre paneldebatter og mer tid til spørsmål fra salen.",
    "Komiteene var det beste med hele landstinget. Behold dem!",
    "Valgene tok lang tid. Kan stemmesedlene telles mens debatten går videre?",
    "Tydeligere skilting i lokalet, og et kart i programmet.",
    "Landstinget bør ligge lenger unna vinterferien i Nord-Norge.",
    "Mer om distriktskommunenes utfordringer, ikke bare de store byene.",
    "Strømming av debatten for dem som ikke er delegater, gjerne med teksting.",
    "Korte oppsummeringer av hver komités innstilling før voteringen hadde hjulpet.",
    "Mulighet til å melde seg på ekskursjoner i vertsbyen dagen før.",
    "Maten var god, men det trengs flere vegetarretter og bedre merking av allergener.",
    "Send en påminnelse om frister på SMS i tillegg til e-post.",
]
OTHER_TEXTS = [
    "Takk for et godt landsting!",
    "Trondheim var et flott vertskap.",
    "Nyttig å møte ordførere fra hele landet.",
    "Ungdommenes innspill fra toppmøtet gjorde inntrykk på salen.",
    "Fint at alt lå samlet på den personlige siden.",
    "Litt for varmt i salen på onsdag.",
    "Jeg savnet mer debatt om økonomien i kommunene.",
    "Godt gjennomført valg, selv om det tok tid.",
]


def _q(kind, text, text_en, **extra) -> dict:
    return {"kind": kind, "text": text, "text_en": text_en, **extra}


#: The questions of 2024 in order. ``event``: the kind of event it belongs to; ``earlier``: the key of the 2020
#: question it is compared with; ``mean``/``spread`` and ``weights`` draw the answers; ``answered``: the share of
#: those asked who answer an optional question.
QUESTIONS_2024 = [
    _q(SCALE, "Hvor fornøyd er du alt i alt med Landstinget 2024?",
       "Overall, how satisfied are you with Landstinget 2024?",
       required=True, earlier="overall", mean=4.0, spread=0.8),
    _q(SCALE, "Komiteene gjorde landstinget til et politisk verksted med reelle politiske debatter.",
       "The committees made the Landsting a political workshop with real political debates.",
       required=True, earlier="workshop", mean=4.2, spread=0.8),
    _q(SCALE, "Hvor nyttig var Kommunalpolitisk toppmøte for deg?",
       "How useful was the Municipal policy summit to you?",
       event=Event.Kind.POLICY_SUMMIT, mean=3.7, spread=0.9, answered=0.9),
    _q(SCALE, "Hvor godt fikk innspillene fra Toppmøte for barn og unge plass i landstinget?",
       "How well did the input from the Youth summit find its place in the Landsting?",
       event=Event.Kind.YOUTH_SUMMIT, mean=3.4, spread=1.0, answered=0.85),
    _q(SCALE, "Hvor fornøyd er du med informasjonen før landstinget (innkalling, påmelding og sakspapirer)?",
       "How satisfied are you with the information before the Landsting (notice, registration and papers)?",
       earlier="information", mean=3.8, spread=0.9, answered=0.95),
    _q(SCALE, "Hvor godt fungerte talelisten og voteringen på mobilen?",
       "How well did the list of speakers and the voting on the phone work?",
       mean=4.3, spread=0.7, answered=0.9),
    _q(SINGLE, "Hvordan reiste du til Trondheim?", "How did you travel to Trondheim?",
       choices=TRAVEL, weights=[62, 16, 14, 4, 4], answered=0.95),
    _q(MULTIPLE, "Hvilke deler av landstinget var mest nyttige for deg? Velg gjerne flere.",
       "Which parts of the Landsting were most useful to you? Choose as many as you like.",
       earlier="useful", choices=USEFUL_PARTS, weights=[45, 50, 70, 30, 20, 60], answered=0.9),
    _q(FREE, "Hva bør gjøres annerledes ved neste landsting?",
       "What should be done differently at the next Landsting?",
       earlier="change", texts=CHANGE_TEXTS, answered=0.4),
    _q(FREE, "Andre kommentarer", "Other comments", texts=OTHER_TEXTS, answered=0.15),
]  # fmt: skip

#: The 2020 evaluation as imported: (key, question), answered by every answer set unless ``answered`` says otherwise.
QUESTIONS_2020 = [
    ("overall", _q(SCALE, "Hvor fornøyd er du alt i alt med Landstinget 2020?",
                   "Overall, how satisfied are you with Landstinget 2020?", mean=3.8, spread=0.9)),
    ("workshop", _q(SCALE, QUESTIONS_2024[1]["text"], QUESTIONS_2024[1]["text_en"], mean=4.1, spread=0.8)),
    ("information", _q(SCALE, QUESTIONS_2024[4]["text"], QUESTIONS_2024[4]["text_en"], mean=3.5, spread=1.0,
                       answered=0.95)),
    ("useful", _q(MULTIPLE, QUESTIONS_2024[7]["text"], QUESTIONS_2024[7]["text_en"], choices=USEFUL_PARTS,
                  weights=[50, 45, 65, 35, 25, 55], answered=0.9)),
    ("change", _q(FREE, QUESTIONS_2024[8]["text"], QUESTIONS_2024[8]["text_en"], texts=CHANGE_TEXTS[:10],
                  answered=0.3)),
]  # fmt: skip


def reset(sender=None, *, congresses: list[Congress], **kwargs) -> None:
    """The respondents and drafts refer to participants who are about to be replaced: the demo surveys go."""
    Survey.objects.filter(congress__in=congresses).delete()
    Survey.objects.filter(congress__name=EARLIER_CONGRESS["name"]).delete()


def seed(sender=None, *, congresses: list[Congress], user=None, **kwargs) -> None:
    reset(congresses=congresses)
    landsting = next((c for c in congresses if c.name == delegates_demo.DEMO_CONGRESS["name"]), None)
    if landsting is None:
        return
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not security
    earlier = _seed_earlier(rng)
    survey = Survey.objects.create(congress=landsting, **SURVEY_2024)
    questions = _questions(survey, QUESTIONS_2024, events=_events(landsting))
    for question, spec in questions:
        if spec.get("earlier") in earlier:
            question.compare_with = earlier[spec["earlier"]]
            question.save(update_fields=["compare_with"])
    _answer(survey, {q.pk: spec for q, spec in questions}, rng)


def _events(congress: Congress) -> dict[str, Event]:
    events: dict[str, Event] = {}
    for event in Event.objects.filter(congress=congress).order_by("starts_at", "pk"):
        events.setdefault(event.kind, event)
    return events


def _questions(survey: Survey, specs: list[dict], *, events: dict[str, Event]) -> list[tuple[Question, dict]]:
    made = []
    for position, spec in enumerate(specs, start=1):
        event = None
        if spec.get("event"):
            event = events.get(spec["event"])
            if event is None:
                continue  # a congress without that event is not asked about it
        question = Question.objects.create(
            survey=survey,
            position=position,
            kind=spec["kind"],
            text=spec["text"],
            text_en=spec["text_en"],
            required=spec.get("required", False),
            event=event,
        )
        Choice.objects.bulk_create(
            Choice(question=question, position=index, text=text, text_en=text_en)
            for index, (text, text_en) in enumerate(spec.get("choices", ()), start=1)
        )
        made.append((question, spec))
    return made


def _value(question: Question, spec: dict, choice_ids: list[int], rng: random.Random, mood: float):
    """An answer as ``survey_submit`` stores it (its value in a draft), or None for a question left open."""
    if not question.required and rng.random() > spec.get("answered", 1.0):
        return None
    if question.kind == SCALE:
        return max(1, min(5, round(rng.gauss(spec["mean"] + 0.5 * mood, spec["spread"]))))
    if question.kind == SINGLE:
        return rng.choices(choice_ids, spec["weights"])[0]
    if question.kind == MULTIPLE:
        chosen = [pk for pk, weight in zip(choice_ids, spec["weights"], strict=True) if rng.random() * 100 < weight]
        return sorted(chosen) or [rng.choices(choice_ids, spec["weights"])[0]]
    return rng.choice(spec["texts"])


def _row(question: Question, value) -> Answer:
    if question.kind == SCALE:
        return Answer(question=question, scale=value)
    if question.kind == FREE:
        return Answer(question=question, text=value)
    return Answer(question=question, choices=value if isinstance(value, list) else [value])


def _write_sets(survey: Survey, contents: list[tuple[int | None, list[Answer]]], rng: random.Random) -> None:
    """The answer sets and their answers, in a shuffled order, under random keys (the models' UUID4 defaults)."""
    rng.shuffle(contents)
    sets = AnswerSet.objects.bulk_create(AnswerSet(survey=survey, county_id=county) for county, _a in contents)
    rows = []
    for answer_set, (_county, answers) in zip(sets, contents, strict=True):
        rng.shuffle(answers)
        for answer in answers:
            answer.answer_set = answer_set
            rows.append(answer)
    Answer.objects.bulk_create(rows)


def _travel_weights(participant: Participant, weights: list[int]) -> list[int]:
    """Trøndelag's delegates came by car, train or bus rather than by plane."""
    if participant.county_id and participant.county.number == "50":
        return [5, 35, 45, 12, 3]
    return weights


def _answer(survey: Survey, specs: dict[int, dict], rng: random.Random) -> None:
    people = list(
        Participant.objects.filter(congress=survey.congress, status=Participant.Status.ACTIVE)
        .select_related("county")
        .order_by("pk")
    )
    delegates = [p for p in people if p.role != Participant.Role.DEPUTY]
    deputies = [p for p in people if p.role == Participant.Role.DEPUTY]
    answering = rng.sample(delegates, min(RESPONDENTS_DELEGATES, len(delegates)))
    answering += rng.sample(deputies, min(RESPONDENTS_DEPUTIES, len(deputies)))
    chosen = {p.pk for p in answering}
    drafting = rng.sample([p for p in delegates if p.pk not in chosen], min(DRAFTS, len(delegates) - len(chosen)))
    # ``selectors.questions_for``, for many at once: the invitations read once per role, the check-ins only of those
    # checked in and not invited to every event asked about.
    questions = list(survey.questions.select_related("event").prefetch_related("choices"))
    events = list({question.event_id: question.event for question in questions if question.event_id}.values())
    checked_in = set(
        Attendance.objects.filter(participant__congress=survey.congress).values_list("participant_id", flat=True)
    )
    invited_by_role: dict[tuple[str, bool], set[int]] = {}

    def asking(participant: Participant) -> list[Question]:
        role = (participant.role, participant.acting_for_id is not None)
        if role not in invited_by_role:
            invited_by_role[role] = events_invited_to(participant, events)
        asked = invited_by_role[role]
        if participant.pk in checked_in and len(asked) < len(events):
            asked = asked | events_checked_in_at(participant, events)
        return [question for question in questions if question.event_id is None or question.event_id in asked]

    contents, respondents, drafts = [], [], []
    for participant in answering + drafting:
        mood = rng.gauss(0, 1)
        given = {}
        asked = asking(participant)
        for question in asked:
            spec = specs[question.pk]
            if question.kind == SINGLE:
                spec = {**spec, "weights": _travel_weights(participant, spec["weights"])}
            value = _value(question, spec, [c.pk for c in question.choices.all()], rng, mood)
            if value is not None:
                given[question] = value
        if participant.pk in chosen:
            respondents.append(Respondent(survey=survey, participant=participant))
            contents.append((participant.county_id, [_row(q, v) for q, v in given.items()]))
        else:
            # Half-way: the first few questions, kept as ``survey_draft_save`` keeps them.
            kept = list(given.items())[: rng.randint(1, 4)]
            answers = {question_field(question): value for question, value in kept}
            drafts.append(Draft(survey=survey, participant=participant, answers=answers))
    Respondent.objects.bulk_create(respondents)
    _write_sets(survey, contents, rng)
    Draft.objects.bulk_create(drafts)


def _seed_earlier(rng: random.Random) -> dict[str, Question]:
    """Landstinget 2020 and its evaluation, imported from the old survey tool: the questions by key."""
    congress, _created = Congress.objects.update_or_create(name=EARLIER_CONGRESS["name"], defaults=EARLIER_CONGRESS)
    Survey.objects.filter(congress=congress).delete()
    survey = Survey.objects.create(congress=congress, **SURVEY_2020)
    made = _questions(survey, [spec for _key, spec in QUESTIONS_2020], events={})
    choice_ids = {question.pk: [c.pk for c in question.choices.order_by("position")] for question, _spec in made}
    contents = []
    for _index in range(EARLIER_ANSWER_SETS):
        mood = rng.gauss(0, 1)
        answers = []
        for question, spec in made:
            value = _value(question, spec, choice_ids[question.pk], rng, mood)
            if value is not None:
                answers.append(_row(question, value))
        contents.append((None, answers))
    _write_sets(survey, contents, rng)
    return {key: question for (key, _spec), (question, _s) in zip(QUESTIONS_2020, made, strict=True)}
