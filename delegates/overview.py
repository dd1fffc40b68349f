"""The delegation overview: allocated seats against the delegates and deputies entered, per county and in total.

A fixed number of queries whatever the number of participants: the participants of the congress are fetched
once with ``.values()`` and grouped in Python; possible duplicate persons (the same name twice in one organisation,
or the same mobile number twice in the congress) are found with two aggregate queries. The same e-mail address
twice cannot happen: the database refuses it, whatever the case of the letters.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Value
from django.db.models.functions import Concat, Lower, Replace, Trim
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agenda.models import Congress
from delegates.models import County, CountyHoldBack, DelegateKey, Organisation, Participant
from delegates.selectors import counties_visible_to, user_sees_all_counties

GENDER_THRESHOLD_PERCENT = Decimal(40)

PARTICIPANT_FIELDS = (
    "id",
    "county_id",
    "role",
    "elected_by",
    "status",
    "acting_for_id",
    "gender",
    "party",
    "mobile",
    "organisation_id",
    "first_name",
    "last_name",
)


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GenderSplit:
    female: int
    male: int
    other: int

    @property
    def counted(self) -> int:
        """Only women and men count towards the 40 % rule."""
        return self.female + self.male

    @property
    def female_percent(self) -> Decimal:
        return _percent(self.female, self.counted)

    @property
    def male_percent(self) -> Decimal:
        return _percent(self.male, self.counted)

    @property
    def under_represented(self) -> str | None:
        """The gender (``"female"`` or ``"male"``) under 40 % of the delegation, if any.

        A delegation with fewer than two women and men cannot be balanced and is not flagged.
        """
        if self.counted < 2:
            return None
        if self.female_percent < GENDER_THRESHOLD_PERCENT:
            return Participant.Gender.FEMALE
        if self.male_percent < GENDER_THRESHOLD_PERCENT:
            return Participant.Gender.MALE
        return None


@dataclass(frozen=True)
class PartyShare:
    party: str
    count: int
    percent: Decimal


@dataclass
class DelegationFigures:
    """One delegation (a county council's, a county meeting's, Oslo's, Samfunnsbedriftene's) or a total."""

    label: str
    seats: int
    delegates: int
    deputies: int
    gender: GenderSplit
    parties: list[PartyShare]
    warnings: list[str] = field(default_factory=list)

    @property
    def difference(self) -> int:
        """Delegates entered minus seats: negative when seats are empty, positive when there are too many."""
        return self.delegates - self.seats

    @property
    def excess(self) -> int:
        return max(self.difference, 0)

    @property
    def missing(self) -> int:
        return max(-self.difference, 0)


@dataclass
class CountyOverview:
    county: County
    seats: int
    single_delegation: bool
    delegations: list[DelegationFigures]
    held_back: str | None
    warnings: list[str]

    @property
    def delegates(self) -> int:
        return sum(d.delegates for d in self.delegations)

    @property
    def deputies(self) -> int:
        return sum(d.deputies for d in self.delegations)

    @property
    def all_warnings(self) -> list[str]:
        return self.warnings + [w for d in self.delegations for w in d.warnings]


@dataclass(frozen=True)
class PossibleDuplicate:
    """The same name or the same mobile number on several participants: perhaps one person entered twice."""

    what: str  # the name or the mobile number, as shown
    names: list[str]
    hidden: int  # participants with it in counties the user may not see


@dataclass
class Overview:
    congress: Congress
    key: DelegateKey | None
    counties: list[CountyOverview]
    total: DelegationFigures
    samfunnsbedriftene: DelegationFigures | None
    possible_duplicates: list[PossibleDuplicate]
    sees_all: bool

    @property
    def samfunnsbedriftene_list(self) -> list[DelegationFigures]:
        return [self.samfunnsbedriftene] if self.samfunnsbedriftene is not None else []

    @property
    def warning_count(self) -> int:
        count = sum(len(c.all_warnings) for c in self.counties)
        if self.samfunnsbedriftene is not None:
            count += len(self.samfunnsbedriftene.warnings)
        return count


def _is_seat_holder(row: dict) -> bool:
    """An active delegate, or an active deputy who has taken a withdrawn delegate's seat."""
    if row["status"] != Participant.Status.ACTIVE:
        return False
    return row["role"] in Participant.VOTING_ROLES or row["acting_for_id"] is not None


def _is_free_deputy(row: dict) -> bool:
    return row["status"] == Participant.Status.ACTIVE and row["role"] == "deputy" and row["acting_for_id"] is None


def _figures(
    *, label: str, seats: int, rows: Iterable[dict], check: bool = True, check_deputies: bool = True
) -> DelegationFigures:
    rows = list(rows)
    holders = [r for r in rows if _is_seat_holder(r)]
    deputies = sum(1 for r in rows if _is_free_deputy(r))
    genders = Counter(r["gender"] for r in holders)
    gender = GenderSplit(
        female=genders[Participant.Gender.FEMALE],
        male=genders[Participant.Gender.MALE],
        other=len(holders) - genders[Participant.Gender.FEMALE] - genders[Participant.Gender.MALE],
    )
    party_counts = Counter(r["party"].strip() or _("Not stated") for r in holders)
    parties = [
        PartyShare(party=party, count=count, percent=_percent(count, len(holders)))
        for party, count in sorted(party_counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    figures = DelegationFigures(
        label=label, seats=seats, delegates=len(holders), deputies=deputies, gender=gender, parties=parties
    )
    if check:
        figures.warnings = _delegation_warnings(figures, check_deputies=check_deputies)
    return figures


def _delegation_warnings(figures: DelegationFigures, *, check_deputies: bool) -> list[str]:
    warnings = []
    values = {"label": figures.label, "seats": figures.seats, "delegates": figures.delegates}
    if figures.difference > 0:
        values["count"] = figures.difference
        warnings.append(
            ngettext(
                "%(label)s: %(count)d delegate too many (%(delegates)d entered for %(seats)d seats).",
                "%(label)s: %(count)d delegates too many (%(delegates)d entered for %(seats)d seats).",
                figures.difference,
            )
            % values
        )
    elif figures.difference < 0:
        values["count"] = -figures.difference
        warnings.append(
            ngettext(
                "%(label)s: %(count)d delegate missing (%(delegates)d entered for %(seats)d seats).",
                "%(label)s: %(count)d delegates missing (%(delegates)d entered for %(seats)d seats).",
                -figures.difference,
            )
            % values
        )
    if not check_deputies:
        pass
    elif figures.delegates and figures.deputies == 0:
        warnings.append(_("%(label)s: no deputies.") % values)
    elif figures.deputies < figures.delegates:
        warnings.append(
            _("%(label)s: fewer deputies (%(deputies)d) than delegates (%(delegates)d).")
            % {**values, "deputies": figures.deputies}
        )
    under = figures.gender.under_represented
    if under is not None:
        percent = figures.gender.female_percent if under == "female" else figures.gender.male_percent
        message = (
            _("%(label)s: women are only %(percent)s %% of the delegates (the rule is at least 40 %%).")
            if under == "female"
            else _("%(label)s: men are only %(percent)s %% of the delegates (the rule is at least 40 %%).")
        )
        # In the language's own way: "30,8" in bokmål, "30.8" in English.
        warnings.append(message % {**values, "percent": number_format(percent, use_l10n=True)})
    return warnings


def delegation_overview(*, congress: Congress, user) -> Overview:
    """Every county the user may see, with its delegations checked against the allocation, and the totals."""
    sees_all = user_sees_all_counties(user)
    single = Organisation.objects.filter(county=OuterRef("pk"), kind=Organisation.Kind.MUNICIPALITY_AND_COUNTY)
    counties = list(
        counties_visible_to(user).select_related("regional_office").annotate(single_delegation=Exists(single))
    )
    county_ids = [c.pk for c in counties]
    key = DelegateKey.objects.filter(congress=congress).first()
    allocations = {}
    if key is not None:
        allocations = {a.county_id: a for a in key.allocations.filter(county_id__in=county_ids)}
    hold_backs = dict(
        CountyHoldBack.objects.filter(congress=congress, county_id__in=county_ids).values_list("county_id", "reason")
    )

    participants = Participant.objects.filter(congress=congress)
    roles = [Participant.Role.DELEGATE, Participant.Role.DEPUTY]
    if sees_all:
        roles.append(Participant.Role.SAMFUNNSBEDRIFTENE_DELEGATE)
        rows = list(participants.filter(role__in=roles).values(*PARTICIPANT_FIELDS))
    else:
        rows = list(participants.filter(role__in=roles, county_id__in=county_ids).values(*PARTICIPANT_FIELDS))

    # Duplicates are looked for across the whole congress, also among invitees of other roles.
    duplicated = _duplicated_person_keys(participants)

    by_county: dict[int | None, list[dict]] = defaultdict(list)
    for row in rows:
        by_county[row["county_id"]].append(row)

    county_overviews = []
    all_rows: list[dict] = []
    total_seats = 0
    for county in counties:
        county_rows = by_county.get(county.pk, [])
        all_rows.extend(county_rows)
        allocation = allocations.get(county.pk)
        seats = allocation.final_seats if allocation is not None else 0
        total_seats += seats
        warnings = []
        if allocation is None:
            warnings.append(_("No seats have been allocated to this county yet."))
        if county.pk in hold_backs:
            warnings.append(_("Invitations are held back: %(reason)s") % {"reason": hold_backs[county.pk]})
        if county.single_delegation:
            delegations = [_figures(label=county.name, seats=seats, rows=county_rows)]
        else:
            county_seats, municipal_seats = key.split_seats(seats, single_delegation=False) if key else (0, 0)
            council = [r for r in county_rows if r["elected_by"] == Participant.ElectedBy.COUNTY_COUNCIL]
            meeting = [r for r in county_rows if r["elected_by"] == Participant.ElectedBy.COUNTY_MEETING]
            unplaced = len(county_rows) - len(council) - len(meeting)
            if unplaced:
                warnings.append(
                    ngettext(
                        "%(count)d delegate or deputy does not say who elected them and is not counted.",
                        "%(count)d delegates or deputies do not say who elected them and are not counted.",
                        unplaced,
                    )
                    % {"count": unplaced}
                )
            delegations = [
                _figures(label=_("County council"), seats=county_seats, rows=council),
                _figures(label=_("Municipalities (county meeting)"), seats=municipal_seats, rows=meeting),
            ]
        warnings.extend(_duplicate_warnings(county_rows, duplicated))
        county_overviews.append(
            CountyOverview(
                county=county,
                seats=seats,
                single_delegation=county.single_delegation,
                delegations=delegations,
                held_back=hold_backs.get(county.pk),
                warnings=warnings,
            )
        )

    samfunnsbedriftene = None
    if sees_all:
        sb_rows = [
            r
            for r in by_county.get(None, [])
            if r["role"] == Participant.Role.SAMFUNNSBEDRIFTENE_DELEGATE
            or r["elected_by"] == Participant.ElectedBy.SAMFUNNSBEDRIFTENE
        ]
        samfunnsbedriftene = _figures(
            label=_("Samfunnsbedriftene"),
            seats=key.samfunnsbedriftene_seats if key else 0,
            rows=sb_rows,
            check_deputies=False,  # Samfunnsbedriftene's delegates are not required to have ranked deputies
        )
        samfunnsbedriftene.warnings.extend(_duplicate_warnings(sb_rows, duplicated))
        all_rows.extend(sb_rows)
        total_seats += samfunnsbedriftene.seats

    total = _figures(label=_("Total"), seats=total_seats, rows=all_rows, check=False)
    possible_duplicates = [
        PossibleDuplicate(what=shown, names=names, hidden=hidden)
        for shown, names, hidden in _duplicates_in(all_rows, duplicated)
    ]
    return Overview(
        congress=congress,
        key=key,
        counties=county_overviews,
        total=total,
        samfunnsbedriftene=samfunnsbedriftene,
        possible_duplicates=possible_duplicates,
        sees_all=sees_all,
    )


def _normalised_name(first_name: str, last_name: str) -> str:
    return " ".join(f"{first_name} {last_name}".lower().split())


def _normalised_mobile(mobile: str) -> str:
    return mobile.replace(" ", "")


def _person_keys(row: dict) -> list[tuple[str, str]]:
    # A common name in two organisations is most likely two people; in the same organisation, perhaps one.
    keys = [("name", f"{row['organisation_id']}:{_normalised_name(row['first_name'], row['last_name'])}")]
    if row["mobile"].strip():
        keys.append(("mobile", _normalised_mobile(row["mobile"])))
    return keys


def _duplicated_person_keys(participants) -> dict[tuple[str, str], int]:
    """(kind, key) → how many participants of the congress share it, for keys shared by more than one."""
    names = (
        participants.annotate(key=Lower(Concat(Trim("first_name"), Value(" "), Trim("last_name"))))
        .values("organisation_id", "key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("organisation_id", "key", "n")
    )
    mobiles = (
        participants.exclude(mobile="")
        .annotate(key=Replace("mobile", Value(" "), Value("")))
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("key", "n")
    )
    # The database compares names exactly after lower-casing; collapse inner whitespace the way _person_keys does.
    duplicated: dict[tuple[str, str], int] = defaultdict(int)
    for organisation_id, key, n in names:
        duplicated[("name", f"{organisation_id}:{' '.join(key.split())}")] += n
    for key, n in mobiles:
        duplicated[("mobile", key)] += n
    return dict(duplicated)


def _duplicates_in(rows: list[dict], duplicated: dict[tuple[str, str], int]) -> list[tuple[str, list[str], int]]:
    """(what is shared, the names of the visible participants sharing it, how many others share it)."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    shown: dict[tuple[str, str], str] = {}
    for row in rows:
        for key in _person_keys(row):
            if key in duplicated:
                name = f"{row['first_name']} {row['last_name']}".strip()
                found[key].append(name)
                shown.setdefault(key, name if key[0] == "name" else row["mobile"])
    return [(shown[key], names, max(duplicated[key] - len(names), 0)) for key, names in sorted(found.items())]


def _duplicate_warnings(rows: list[dict], duplicated: dict[tuple[str, str], int]) -> list[str]:
    warnings = []
    for what, names, others in _duplicates_in(rows, duplicated):
        if others:
            names = [
                *names,
                ngettext("%(count)d participant elsewhere", "%(count)d participants elsewhere", others)
                % {"count": others},
            ]
        warnings.append(
            _("Perhaps the same person twice: %(what)s is given for %(names)s.")
            % {"what": what, "names": ", ".join(names)}
        )
    return warnings
