"""A stored poll result as people read it: rows with names, votes and percentages, the base, the outcome in words,
a tie, and the gender balance of an elected body. Used by the delegates' pages, the officials' and projector pages
and the protocol, so that all of them say the same."""

from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.text import get_text_list
from django.utils.translation import get_language, gettext, ngettext

from elections import counting
from elections.counting_messages import describe_base
from elections.models import Candidate, Election, Poll


@dataclass(frozen=True)
class ResultRow:
    label: str
    votes: int
    percent: str  # "52,4", of the base
    elected: bool = False
    runoff: bool = False
    detail: str = ""  # party, organisation, county


@dataclass(frozen=True)
class BalanceView:
    members: int
    female: int
    male: int
    other: int
    required: int  # the minimum per gender
    met: bool | None  # None: not applicable (fewer than two members)
    sentence: str
    automatic: int = 0  # members by virtue of office counted in


@dataclass(frozen=True)
class ResultView:
    rows: list[ResultRow]
    ballots: int
    blank: int
    base: int
    base_sentence: str
    outcome: str  # one sentence: who is elected, whether adopted, that a run-off is needed
    tie: str = ""  # the tie to settle by lot, in words
    lot: str = ""  # how a tie was settled
    eligible: int | None = None
    voted: int | None = None
    rejected: int = 0
    balance: BalanceView | None = None
    warnings: list[str] = field(default_factory=list)


def _fraction(value) -> Fraction:
    if isinstance(value, list | tuple):
        return Fraction(value[0], value[1])
    return Fraction(value or 0)


def _percent(value: Fraction) -> str:
    """One decimal, with the decimal separator of the active language (a comma in bokmål)."""
    text = counting.percent(value)
    return text.replace(",", ".") if (get_language() or "").startswith("en") else text


def _names(names: list[str]) -> str:
    return get_text_list(names, gettext("and"))


def candidate_detail(candidate: Candidate) -> str:
    parts = [candidate.party, candidate.organisation.name if candidate.organisation_id else ""]
    if candidate.county_id and not candidate.organisation_id:
        parts.append(candidate.county.name)
    return ", ".join(part for part in parts if part)


def result_view(poll: Poll, *, candidates: list[Candidate] | None = None) -> ResultView | None:
    """The poll's frozen result for display, or None before the poll is closed."""
    result = poll.result
    if not result:
        return None
    if poll.kind == Poll.Kind.YES_NO:
        return _yes_no_view(poll, result)
    if candidates is None:
        candidates = list(poll.candidates.select_related("organisation", "county"))
    by_id = {candidate.pk: candidate for candidate in candidates}
    elected = result.get("elected")
    elected_ids = set(elected if isinstance(elected, list) else [elected] if elected is not None else [])
    runoff_ids = set(result.get("runoff") or [])
    rows = []
    for candidate_id, votes, share in zip(result["candidates"], result["votes"], result["percentages"], strict=True):
        candidate = by_id.get(candidate_id)
        rows.append(
            ResultRow(
                label=candidate.full_name if candidate else str(candidate_id),
                votes=votes,
                percent=_percent(_fraction(share)),
                elected=candidate_id in elected_ids,
                runoff=candidate_id in runoff_ids,
                detail=candidate_detail(candidate) if candidate else "",
            )
        )
    rows.sort(key=lambda row: -row.votes)
    name = {candidate.pk: candidate.full_name for candidate in candidates}
    elected_names = [name.get(pk, str(pk)) for pk in result["candidates"] if pk in elected_ids]
    if result.get("tie"):
        outcome = gettext("Not decided yet: a tie must be settled by drawing lots.")
    elif elected_names:
        outcome = ngettext("Elected: %(names)s.", "Elected: %(names)s.", len(elected_names)) % {
            "names": _names(elected_names)
        }
    elif runoff_ids:
        outcome = gettext("Nobody has an absolute majority: run-off between %(names)s.") % {
            "names": _names([name.get(pk, str(pk)) for pk in result["candidates"] if pk in runoff_ids])
        }
    else:
        outcome = gettext("Nobody is elected.")
    balance = None
    if poll.kind == Poll.Kind.MULTI_SEAT and not result.get("tie"):
        balance = body_balance(poll.election, [by_id[pk] for pk in elected_ids if pk in by_id])
    return ResultView(
        rows=rows,
        ballots=result["ballots"],
        blank=result["blank"],
        base=result["base"],
        base_sentence=describe_base(result["base_label"], result["base"]),
        outcome=outcome,
        tie=_tie_sentence(result, name),
        lot=_lot_sentence(result, name),
        eligible=result.get("eligible"),
        voted=result.get("voted"),
        rejected=result.get("rejected", 0),
        balance=balance,
        warnings=[balance.sentence] if balance is not None and balance.met is False else [],
    )


def _tie_sentence(result: dict, name: dict) -> str:
    tie = result.get("tie")
    if not tie:
        return ""
    names = _names([name.get(pk, str(pk)) for pk in tie["candidates"]])
    if tie.get("runoff"):
        return ngettext(
            "%(names)s are tied; drawing lots decides %(places)d place in the run-off.",
            "%(names)s are tied; drawing lots decides %(places)d places in the run-off.",
            tie["places"],
        ) % {"names": names, "places": tie["places"]}
    return ngettext(
        "%(names)s are tied; drawing lots decides %(places)d seat.",
        "%(names)s are tied; drawing lots decides %(places)d seats.",
        tie["places"],
    ) % {"names": names, "places": tie["places"]}


def _lot_sentence(result: dict, name: dict) -> str:
    lot = result.get("lot")
    if not lot:
        return ""
    return gettext("A tie was settled by drawing lots (drawn by %(drawn_by)s): %(names)s.") % {
        "drawn_by": lot["drawn_by"],
        "names": _names([name.get(pk, str(pk)) for pk in lot["winners"]]),
    }


def _yes_no_view(poll: Poll, result: dict) -> ResultView:
    yes_share, no_share = (_fraction(share) for share in result["percentages"])
    rows = [
        ResultRow(label=gettext("Yes"), votes=result["yes"], percent=_percent(yes_share)),
        ResultRow(label=gettext("No"), votes=result["no"], percent=_percent(no_share)),
    ]
    if result["adopted"]:
        outcome = gettext("Adopted.")
    elif result.get("tied"):
        outcome = gettext("Not adopted: the votes are tied.")
    else:
        outcome = gettext("Not adopted.")
    needed = (
        gettext("Two-thirds majority needed: %(threshold)d of %(base)d.")
        if poll.majority == Poll.Majority.TWO_THIRDS
        else gettext("Simple majority needed: %(threshold)d of %(base)d.")
    ) % {"threshold": result["threshold"], "base": result["base"]}
    return ResultView(
        rows=rows,
        ballots=result["ballots"],
        blank=result["abstain"],
        base=result["base"],
        base_sentence=f"{describe_base(result['base_label'], result['base'])} {needed}",
        outcome=outcome,
        eligible=result.get("eligible"),
        voted=result.get("voted"),
        rejected=result.get("rejected", 0),
    )


def body_balance(election: Election | None, elected: list[Candidate]) -> BalanceView | None:
    """The gender balance of the elected body, counting the members by virtue of office (the landsstyre)."""
    if election is None:
        return None
    automatic = [member.gender for member in election.automatic_members.all()]  # prefetched by list pages
    genders = [candidate.gender or "" for candidate in elected] + [gender or "" for gender in automatic]
    balance = counting.gender_balance(genders)
    if balance.met is None:
        sentence = gettext("Gender balance does not apply to a body of one member.")
    elif balance.met:
        sentence = gettext(
            "Gender balance met: women %(female)d, men %(male)d, members %(members)d; at least %(required)d of each."
        ) % {"female": balance.female, "male": balance.male, "members": balance.members, "required": balance.required}
    else:
        sentence = gettext(
            "Gender balance NOT met: women %(female)d, men %(male)d, members %(members)d; each gender needs at least"
            " %(required)d (40 %%)."
        ) % {"female": balance.female, "male": balance.male, "members": balance.members, "required": balance.required}
    return BalanceView(
        members=balance.members,
        female=balance.female,
        male=balance.male,
        other=balance.other,
        required=balance.required,
        met=balance.met,
        sentence=sentence,
        automatic=len(automatic),
    )
