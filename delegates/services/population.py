"""Loading counties, municipalities and their population figures."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.db.models import Q

from delegates.models import County, Organisation
from delegates.population import PopulationImportError, PopulationImportResult, PopulationRow, RowError, same_name


def _organisation_state(organisation: Organisation) -> tuple:
    return (
        organisation.kind,
        organisation.number,
        organisation.name,
        organisation.county_id,
        organisation.population,
        organisation.population_date,
    )


@transaction.atomic
def population_import(*, rows: Sequence[PopulationRow], skipped_rows: int = 0) -> PopulationImportResult:
    """Load counties, municipalities and their population figures from parsed rows; all or nothing.

    Counties that do not exist are created when the rows name them (SSB rows do not, so there an unknown
    county is an error) and renamed when the name differs. Municipalities are created or updated by official
    number (never duplicated) and renamed when the file's name differs. Every county in the rows then gets
    its county municipality: number = the county number, name "<county> fylkeskommune", population = the sum
    of its municipalities with the same (the county's latest) reference date — except a county with exactly
    one municipality (Oslo), which is one organisation of the kind MUNICIPALITY_AND_COUNTY: one delegation.

    ``skipped_rows`` (rows the parser left out on purpose) is only passed through to the result. Problems
    raise PopulationImportError with every row error, and the transaction rolls back.
    """
    Kind = Organisation.Kind
    errors: list[RowError] = []
    county_numbers = sorted({row.county_number for row in rows})
    numbers = {row.municipality_number for row in rows}
    county_names: dict[str, str] = {}
    for row in rows:
        if row.county_name:
            county_names.setdefault(row.county_number, row.county_name)

    counties = {c.number: c for c in County.objects.select_for_update().filter(number__in=county_numbers)}
    organisations = list(
        Organisation.objects.select_for_update()
        .filter(Q(number__in=numbers | set(county_numbers)) | Q(county__in=list(counties.values())))
        .order_by()  # the default ordering joins County, and FOR UPDATE refuses an outer join
    )
    by_number = {o.number: o for o in organisations if o.number}
    for row in rows:
        params = {"number": row.municipality_number}
        existing = by_number.get(row.municipality_number)
        if row.reference_date is None:
            errors.append(RowError(row.line, "missing_reference_date", params))
        if row.county_number not in counties and row.county_number not in county_names:
            errors.append(RowError(row.line, "unknown_county", {**params, "county": row.county_number}))
        if existing is None and not row.name:
            errors.append(RowError(row.line, "missing_name", params))
        elif existing is not None and existing.kind not in Organisation.MUNICIPAL_KINDS:
            errors.append(
                RowError(
                    row.line,
                    "number_taken",
                    {**params, "name": existing.name, "kind": existing.get_kind_display()},
                )
            )
    if errors:
        raise PopulationImportError(sorted(errors, key=lambda error: error.line))

    # Counties: create the missing ones, rename the ones the file names differently.
    new_counties = [County(number=n, name=county_names[n]) for n in county_numbers if n not in counties]
    renamed_counties = [c for n, c in counties.items() if county_names.get(n, c.name) != c.name]
    for county in renamed_counties:
        county.name = county_names[county.number]
    County.objects.bulk_update(renamed_counties, ["name"])
    County.objects.bulk_create(new_counties)
    if any(county.pk is None for county in new_counties):  # a backend that cannot return the new keys
        new_counties = list(County.objects.filter(number__in=[c.number for c in new_counties]))
    counties.update({county.number: county for county in new_counties})

    # Municipalities.
    before = {id(o): _organisation_state(o) for o in organisations}
    municipal = [o for o in organisations if o.kind in Organisation.MUNICIPAL_KINDS]
    created: list[Organisation] = []
    county_dates: dict[str, date] = {}
    for row in rows:
        county = counties[row.county_number]
        organisation = by_number.get(row.municipality_number)
        if organisation is None:
            organisation = Organisation(kind=Kind.MUNICIPALITY, number=row.municipality_number, name=row.name)
            by_number[organisation.number] = organisation
            municipal.append(organisation)
            created.append(organisation)
        elif row.name and not same_name(organisation.name, row.name):
            organisation.name = row.name
        organisation.county = county
        organisation.population = row.population
        organisation.population_date = row.reference_date
        county_dates[row.county_number] = max(
            county_dates.get(row.county_number, row.reference_date), row.reference_date
        )

    # County municipalities, or the one organisation of a county with a single municipality.
    county_level = {o.county_id: o for o in organisations if o.kind == Kind.COUNTY_MUNICIPALITY}
    rows_by_county = {row.county_number: row for row in rows}
    single: list[Organisation] = []
    for number in county_numbers:
        county = counties[number]
        members = [o for o in municipal if o.county_id == county.pk]
        separate = county_level.get(county.pk)
        if len(members) == 1:
            members[0].kind = Kind.MUNICIPALITY_AND_COUNTY
            single.append(members[0])
            if separate is not None:
                errors.append(
                    RowError(
                        rows_by_county[number].line,
                        "sole_municipality_conflict",
                        {"name": members[0].name, "county": number, "other": separate.name},
                    )
                )
            continue
        for member in members:
            member.kind = Kind.MUNICIPALITY
        holder = by_number.get(number)
        if separate is None and holder is not None and holder.kind == Kind.COUNTY_MUNICIPALITY:
            separate = holder  # registered under another county: it moves here
        if holder is not None and holder is not separate:
            errors.append(
                RowError(
                    rows_by_county[number].line,
                    "number_taken",
                    {"number": number, "name": holder.name, "kind": holder.get_kind_display()},
                )
            )
            continue
        if separate is None:
            separate = Organisation(kind=Kind.COUNTY_MUNICIPALITY)
            created.append(separate)
        separate.number = number
        separate.county = county
        separate.name = f"{county.name} fylkeskommune"
        separate.population = sum(
            m.population for m in members if m.population is not None and m.population_date == county_dates[number]
        )
        separate.population_date = county_dates[number]
    if errors:
        raise PopulationImportError(sorted(errors, key=lambda error: error.line))

    changed = [o for o in organisations if _organisation_state(o) != before[id(o)]]
    # Updates first: a former single delegation must stop being one before its county municipality is created.
    # Only the fields that changed, in modest batches: bulk_update's CASE expressions grow with both.
    fields = ["kind", "number", "name", "county", "population", "population_date"]
    states = [(before[id(o)], _organisation_state(o)) for o in changed]
    fields = [f for i, f in enumerate(fields) if any(old[i] != new[i] for old, new in states)]
    if changed:
        Organisation.objects.bulk_update(changed, fields, batch_size=100)
    Organisation.objects.bulk_create(created)

    changed_ids = {id(o) for o in changed}
    touched_ids = changed_ids | {id(o) for o in created}
    county_ids = {county.pk for county in counties.values()}
    not_in_file = (
        Organisation.objects.filter(kind__in=Organisation.MUNICIPAL_KINDS)
        .exclude(number__in=numbers)
        .order_by("number")
        .values_list("number", "name")
    )
    return PopulationImportResult(
        counties_created=len(new_counties),
        counties_renamed=len(renamed_counties),
        municipalities_created=sum(1 for o in created if o.kind != Kind.COUNTY_MUNICIPALITY),
        municipalities_updated=sum(1 for o in changed if o.kind != Kind.COUNTY_MUNICIPALITY),
        municipalities_unchanged=sum(1 for number in numbers if id(by_number[number]) not in touched_ids),
        county_municipalities_created=sum(1 for o in created if o.kind == Kind.COUNTY_MUNICIPALITY),
        county_municipalities_updated=sum(1 for o in changed if o.kind == Kind.COUNTY_MUNICIPALITY),
        county_municipalities_unchanged=sum(
            1
            for o in organisations
            if o.kind == Kind.COUNTY_MUNICIPALITY and o.county_id in county_ids and id(o) not in changed_ids
        ),
        skipped_rows=skipped_rows,
        population=sum(row.population for row in rows),
        reference_dates=tuple(sorted({row.reference_date for row in rows if row.reference_date})),
        single_delegations=tuple(o.name for o in single),
        not_in_file=tuple(f"{number} {name}" for number, name in not_in_file),
    )
