"""Import and export of participants (CSV and XLSX) with django-import-export.

One file row is one participant. A row is identified by (congress, e-mail): importing the same file again updates
the rows instead of duplicating them. Rows without an e-mail address are matched on congress, county and name when
exactly one such participant without an e-mail address exists.

The admin passes the importing user to the resource; a row for a county the user may not manage is an error and is
never written. With ``user=None`` (trusted code such as a shell session) nothing is restricted.

Speed: a file of thousands of rows must be previewed and imported within one request. Congresses, counties,
organisations and the participants of the file's congresses are loaded once per import, and the rules the database
holds (one e-mail address per congress, one deputy per rank) are checked against those tables in memory, not with
queries per row (``validate_instance``). Rows that change nothing are skipped: no save, no history entry.

Language: the column headers are the file's format and the same in every language (the English words and the field
names are accepted too). The choices (gender, role, elected by, the participant's language) are written as their
labels in the user's language (``kvinne``, ``delegat``, ``fylkestinget`` in bokmål; ``female``, ``delegate``,
``county council`` in English), and the import reads the labels of both languages and the codes of older files, so
an export imports back unchanged in either language. A row's errors name the column as the file's own header
(:meth:`ParticipantResource.after_import`), and the export's file name is in the user's language
(:func:`export_filename`).
"""

import copy
import datetime
import unicodedata
from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils import translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from simple_history.utils import bulk_create_with_history

from agenda.models import Congress
from delegates.models import County, Organisation, Participant
from delegates.selectors import counties_visible_to, scope_to_user, user_sees_all_counties

# Field name → (column header written on export, further accepted headers). Headers are compared after
# normalising case, spaces and hyphens; the field name itself is always accepted.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "congress": ("landsting", ("congress", "year", "år", "kongress")),
    "first_name": ("fornavn", ("first name", "firstname")),
    "last_name": ("etternavn", ("last name", "lastname", "surname")),
    "email": ("epost", ("e-post", "e-mail", "mail", "epostadresse")),
    "mobile": ("mobil", ("mobilnummer", "telefon", "phone", "mobile phone")),
    "gender": ("kjønn", ("kjonn", "sex")),
    "party": ("parti", ()),
    "position": ("stilling", ("verv", "title")),
    "county": ("fylke", ("fylkesnummer", "county number")),
    "organisation": ("organisasjon", ("organisasjonsnummer", "kommunenummer", "organisation number", "organization")),
    "role": ("rolle", ()),
    "deputy_rank": ("vararang", ("vara nr", "varanummer", "rank", "deputy rank")),
    "elected_by": ("valgt_av", ("valgt av", "elected by")),
    "elected_on": ("valgt_dato", ("valgt dato", "valgdato", "elected on", "election date")),
    "language": ("språk", ("sprak", "language", "målform", "malform")),
}


CREATE_BATCH = 500


def _normalise_header(header) -> str:
    return " ".join(str(header or "").strip().lower().replace("_", " ").replace("-", " ").split())


HEADER_ALIASES: dict[str, str] = {}
for _field, (_column, _aliases) in COLUMNS.items():
    for _alias in (_field, _column, *_aliases):
        HEADER_ALIASES[_normalise_header(_alias)] = _column


def _cell_text(value) -> str:
    """A cell as text: spreadsheet numbers lose their ``.0``; None becomes ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _ResourceWidget(widgets.Widget):
    """A widget that resolves values through lookup tables the resource loads once per import."""

    resource: "ParticipantResource"


class CongressWidget(_ResourceWidget):
    """The congress by its year (or, when several share a year, by its exact name)."""

    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text:
            return None
        return self.resource.congress_for(text)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        # The year, unless another congress is held the same year: then the name, which the import reads back.
        return value.name if self.resource.shared_years().get(value.year, 0) > 1 else value.year


class CountyWidget(_ResourceWidget):
    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text:
            return None
        county = self.resource.counties.get(text.zfill(2))
        if county is None:
            raise ValueError(_("Unknown county number %(number)s.") % {"number": text})
        return county

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.number


class OrganisationWidget(_ResourceWidget):
    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text:
            return None
        # Spreadsheets drop leading zeros: 301 is Oslo's municipality number 0301.
        for candidate in (text, text.zfill(4), text.zfill(2)):
            organisation = self.resource.organisations.get(candidate)
            if organisation is not None:
                return organisation
        raise ValueError(_("Unknown organisation number %(number)s.") % {"number": text})

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.number


# Common Norwegian words for the choices, accepted whether or not the labels are translated yet.
NORWEGIAN_CHOICES: dict[str, str] = {
    "kvinne": "female",
    "k": "female",
    "mann": "male",
    "m": "male",
    "annet": "other",
    "delegat": "delegate",
    "representant": "delegate",
    "vara": "deputy",
    "varadelegat": "deputy",
    "vararepresentant": "deputy",
    "samfunnsbedriftene delegat": "samfunnsbedriftene_delegate",
    "hovedstyremedlem": "board_member",
    "hovedstyret": "board_member",
    "observatør": "observer",
    "gjest": "guest",
    "ungdomsrådsmedlem": "youth_council",
    "ungdomsråd": "youth_council",
    "kommunedirektør": "chief_executive",
    "rådmann": "chief_executive",
    "presse": "press",
    "stab": "staff",
    "ansatt": "staff",
    "fylkesmøte": "county_meeting",
    "fylkesmøtet": "county_meeting",
    "fylkesmøte (kommunene)": "county_meeting",
    "fylkesting": "county_council",
    "fylkestinget": "county_council",
    "i kraft av verv": "by_office",
    "bokmål": "nb",
    "norsk": "nb",
    "engelsk": "en",
}


class ChoicesWidget(widgets.Widget):
    """A choice by its code or its label in Norwegian or English (any case)."""

    def __init__(self, choices_class, **kwargs):
        self.choices_class = choices_class
        self._lookup: dict[str, str] | None = None
        super().__init__(**kwargs)

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            lookup: dict[str, str] = {}
            for language in ("en", "nb"):
                with translation.override(language):
                    for value, label in self.choices_class.choices:
                        lookup[str(label).strip().lower()] = value
            values = set(self.choices_class.values)
            lookup.update({word: value for word, value in NORWEGIAN_CHOICES.items() if value in values})
            for value in self.choices_class.values:
                lookup[value] = value
                lookup[value.replace("_", " ")] = value
            self._lookup = lookup
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text:
            return ""
        try:
            return self.lookup()[" ".join(text.lower().split())]
        except KeyError:
            allowed = ", ".join(str(label) for _value, label in self.choices_class.choices)  # the active language
            raise ValueError(
                _("“%(value)s” is not a valid choice. Use one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            ) from None

    def render(self, value, obj=None, **kwargs):
        """The label in the active language (``kvinne`` / ``female``); a value without a label as it is."""
        if not value:
            return ""
        labels = dict(self.choices_class.choices)
        return str(labels[value]) if value in labels else value


class LanguageWidget(ChoicesWidget):
    """The participant's language; an empty cell leaves it as it is (a new participant: bokmål, the default)."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs) or None


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _cell_text(value)


class EmailWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _cell_text(value).lower()


class RankWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = _cell_text(value)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None


class ElectionDateWidget(widgets.DateWidget):
    FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _cell_text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date; write it as 2024-03-31 or 31.03.2024.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


def _field(name: str, widget) -> Field:
    return Field(attribute=name, column_name=COLUMNS[name][0], widget=widget)


# Exported for the reader, never imported: the number is given by the application (Participant.number).
NUMBER_COLUMN = "nr"


class ParticipantResource(resources.ModelResource):
    number = Field(attribute="number", column_name=NUMBER_COLUMN, widget=widgets.IntegerWidget(), readonly=True)
    congress = _field("congress", CongressWidget())
    first_name = _field("first_name", TextWidget())
    last_name = _field("last_name", TextWidget())
    email = _field("email", EmailWidget())
    mobile = _field("mobile", TextWidget())
    gender = _field("gender", ChoicesWidget(Participant.Gender))
    party = _field("party", TextWidget())
    position = _field("position", TextWidget())
    county = _field("county", CountyWidget())
    organisation = _field("organisation", OrganisationWidget())
    role = _field("role", ChoicesWidget(Participant.Role))
    deputy_rank = _field("deputy_rank", RankWidget())
    elected_by = _field("elected_by", ChoicesWidget(Participant.ElectedBy))
    elected_on = _field("elected_on", ElectionDateWidget())
    language = Field(
        attribute="language",
        column_name=COLUMNS["language"][0],
        widget=LanguageWidget(Participant.Language),
        saves_null_values=False,
    )

    class Meta:
        model = Participant
        fields = ("number", *COLUMNS)
        export_order = ("number", *COLUMNS)
        import_id_fields = ()  # identity is decided in get_instance: (congress, e-mail)
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True  # importing an export again changes nothing and writes no history
        report_skipped = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, _ResourceWidget):
                field.widget.resource = self
        self._loaded = False
        self._shared_years: dict[int, int] | None = None
        # Our column name → the header as the file writes it ("county" or "Fylke" for fylke), for error messages.
        self.file_headers: dict[str, str] = {}
        self.duplicate_emails: dict[tuple[str, str], list[int]] = {}
        # The participants of the file's congresses, loaded in before_import and kept up to date as rows are saved.
        self._by_email: dict[tuple[int, str], Participant] = {}
        self._by_name: dict[tuple[int, str, str, str], list[Participant]] = defaultdict(list)
        self._ranks: dict[tuple, int | str] = {}
        self._rank_of: dict[int | str, tuple] = {}
        self._new_rows = 0
        self._pending_creates: list[Participant] = []

    # --- lookup tables, loaded once per import -------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self.counties = {county.number: county for county in County.objects.all()}
        self.organisations = {
            organisation.number: organisation
            for organisation in Organisation.objects.exclude(number="").select_related("county")
        }
        self.congresses = list(Congress.objects.all())
        self.all_counties = self.user is None or user_sees_all_counties(self.user)
        self.allowed_county_ids = (
            set() if self.all_counties else set(counties_visible_to(self.user).values_list("pk", flat=True))
        )
        self._loaded = True

    def congress_for(self, text: str) -> Congress:
        self._load()
        by_name = [congress for congress in self.congresses if congress.name.casefold() == text.casefold()]
        if len(by_name) == 1:
            return by_name[0]
        by_year = [congress for congress in self.congresses if str(congress.year) == text]
        if len(by_year) == 1:
            return by_year[0]
        if len(by_year) > 1:
            raise ValueError(
                _("Several congresses are held in %(year)s; give the congress's name instead.") % {"year": text}
            )
        raise ValueError(_("Unknown congress %(congress)s.") % {"congress": text})

    def shared_years(self) -> dict[int, int]:
        """How many congresses are held in each year (loaded once)."""
        if self._shared_years is None:
            self._shared_years = defaultdict(int)
            for year in Congress.objects.values_list("year", flat=True):
                self._shared_years[year] += 1
        return self._shared_years

    def may_manage(self, county: County | None) -> bool:
        self._load()
        return self.all_counties or (county is not None and county.pk in self.allowed_county_ids)

    # --- import -------------------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        if self.user is None and kwargs.get("user") is not None:
            self.user = kwargs["user"]
        self._loaded = False
        self._load()
        original = list(dataset.headers or [])
        headers = [HEADER_ALIASES.get(_normalise_header(header), header) for header in original]
        self.file_headers = {
            column: str(header).strip() or column for column, header in zip(headers, original, strict=True)
        }
        seen = set()
        for header in headers:
            if header in seen:
                raise ValueError(_("The column %(column)s appears more than once.") % {"column": header})
            seen.add(header)
        dataset.headers = headers
        # The same e-mail twice in one file (per congress) is an error on every row that has it.
        email_column, congress_column = COLUMNS["email"][0], COLUMNS["congress"][0]
        lines: dict[tuple[str, str], list[int]] = defaultdict(list)
        if email_column in headers:
            for number, row in enumerate(dataset.dict, 1):
                email = _cell_text(row.get(email_column)).lower()
                if email:
                    lines[(_cell_text(row.get(congress_column)).casefold(), email)].append(number)
        self.duplicate_emails = {key: numbers for key, numbers in lines.items() if len(numbers) > 1}
        self._load_participants(dataset)

    def _load_participants(self, dataset) -> None:
        congress_ids = set()
        congress_column = COLUMNS["congress"][0]
        if congress_column in (dataset.headers or []):
            for text in {_cell_text(value) for value in dataset[congress_column]}:
                try:
                    congress_ids.add(self.congress_for(text).pk)
                except ValueError:
                    continue
        self._by_email, self._by_name, self._ranks, self._rank_of = {}, defaultdict(list), {}, {}
        self._new_rows = 0
        participants = Participant.objects.filter(congress_id__in=congress_ids)
        for participant in participants.select_related("congress", "county", "organisation"):
            self._remember(participant)

    @staticmethod
    def _name_key(congress_id, first_name: str, last_name: str, county_number: str) -> tuple[int, str, str, str]:
        return (congress_id, first_name.strip().lower(), last_name.strip().lower(), county_number)

    @staticmethod
    def _rank_key(participant: Participant) -> tuple | None:
        if participant.role != Participant.Role.DEPUTY or participant.deputy_rank is None:
            return None
        if participant.elected_by == Participant.ElectedBy.MUNICIPAL_COUNCIL:  # a member's own deputies
            return (
                participant.congress_id,
                participant.organisation_id,
                participant.elected_by,
                participant.deputy_rank,
            )
        return (participant.congress_id, participant.county_id, participant.elected_by, participant.deputy_rank)

    @staticmethod
    def _identity(participant: Participant):
        """The primary key; for a new row of a preview, which is never saved, the key it was given here."""
        return participant.pk if participant.pk is not None else getattr(participant, "_import_key", None)

    def _remember(self, participant: Participant) -> None:
        """Index a participant as the database now holds it (loaded, or saved by this import: in a preview, as it
        would be saved)."""
        if self._identity(participant) is None:
            self._new_rows += 1
            participant._import_key = f"new-{self._new_rows}"
        identity = self._identity(participant)
        participant = copy.copy(participant)
        if participant.email:
            self._by_email[(participant.congress_id, participant.email.lower())] = participant
        else:
            county_number = participant.county.number if participant.county_id else ""
            key = self._name_key(participant.congress_id, participant.first_name, participant.last_name, county_number)
            others = [other for other in self._by_name[key] if self._identity(other) != identity]
            self._by_name[key] = [*others, participant]
        old = self._rank_of.pop(identity, None)
        if old is not None and self._ranks.get(old) == identity:
            del self._ranks[old]
        new = self._rank_key(participant)
        if new is not None:
            self._ranks[new] = identity
            self._rank_of[identity] = new

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs):
        # No savepoint around every row (two statements a row): the preview writes nothing, and the confirm step runs
        # in the one transaction import_data opens, which is rolled back as a whole when any row fails.
        self._pending_creates = []
        return super().import_data_inner(dataset, dry_run, raise_errors, False, collect_failed_rows, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            # The preview writes nothing (two inserts a row saved): what the database would refuse is checked in
            # validate_instance, against the index that _remember keeps as if the row were saved.
            self.after_save_instance(instance, row, **kwargs)
            return
        if is_create:
            # New rows are written together in after_import, with their history (two statements per 500 rows).
            # Changed rows are saved here, one by one in the file's order, as the preview checked them. A new row
            # only takes an e-mail address or a deputy rank, never frees one, so writing new rows last keeps every
            # constraint on the way.
            self.before_save_instance(instance, row, **kwargs)
            self._pending_creates.append(instance)
            self.after_save_instance(instance, row, **kwargs)
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def column_label(self, field_name: str) -> str:
        """A field as the user knows it: the file's own header, else our column name, else the model's name."""
        if field_name in COLUMNS:
            column = COLUMNS[field_name][0]
            return self.file_headers.get(column, column)
        try:
            return str(capfirst(Participant._meta.get_field(field_name).verbose_name))
        except FieldDoesNotExist:
            return field_name

    def label_result(self, result) -> None:
        """Name each column and each row's errors as the file does, for the preview page.

        ``result.column_titles``: the preview's headers as the file writes them (our column name for a column the
        file does not have). Each invalid row gets ``labelled_errors``, ``[(header or None, [messages])]`` in the
        columns' order with the row's own errors (``None``) first, and ``cells``, ``[(value, has_error)]``."""
        columns = list(result.diff_headers)
        result.column_titles = [self.file_headers.get(column, column) for column in columns]
        field_of = {column: field for field, (column, _aliases) in COLUMNS.items()}
        order = {field: index for index, field in enumerate(COLUMNS)}
        for row in result.invalid_rows:
            errors = row.error_dict
            labelled = [(None, list(errors[NON_FIELD_ERRORS]))] if NON_FIELD_ERRORS in errors else []
            fields = sorted((field for field in errors if field != NON_FIELD_ERRORS), key=lambda f: order.get(f, 99))
            labelled += [(self.column_label(field), list(errors[field])) for field in fields]
            row.labelled_errors = labelled
            row.cells = [
                ("" if value == "---" and column not in self.file_headers else value, field_of.get(column) in errors)
                for column, value in zip(columns, row.values, strict=True)
            ]

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        self.label_result(result)
        pending, self._pending_creates = self._pending_creates, []
        if pending and not kwargs.get("dry_run") and not (result.has_errors() or result.has_validation_errors()):
            bulk_create_with_history(pending, Participant, batch_size=CREATE_BATCH, default_user=self.user)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self._remember(instance)

    def get_instance(self, instance_loader, row):
        self._load()
        try:
            congress = self.congress_for(_cell_text(row.get(COLUMNS["congress"][0])))
        except ValueError:
            return None  # reported as the congress field's error
        email = _cell_text(row.get(COLUMNS["email"][0])).lower()
        if email:
            instance = self._by_email.get((congress.pk, email))
        else:
            county_text = _cell_text(row.get(COLUMNS["county"][0]))
            key = self._name_key(
                congress.pk,
                _cell_text(row.get(COLUMNS["first_name"][0])),
                _cell_text(row.get(COLUMNS["last_name"][0])),
                county_text.zfill(2) if county_text else "",
            )
            matches = self._by_name.get(key, []) if county_text else []
            instance = matches[0] if len(matches) == 1 else None
        if instance is not None:
            instance = copy.copy(instance)  # the row changes its copy, not the index
        if instance is not None and not self.may_manage(instance.county):
            # No more than this: not whether the address is registered, nor where, nor under which name.
            raise ValidationError(_("This participant is not in your counties."))
        return instance

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        county = instance.county if "county" not in errors else None
        organisation = instance.organisation if "organisation" not in errors else None
        if organisation is not None and organisation.county_id is not None:
            if county is None and "county" not in errors:
                instance.county = county = organisation.county
            elif county is not None and organisation.county_id != county.pk:
                add(
                    "organisation",
                    _("The organisation %(organisation)s is in county %(other)s, not in %(county)s.")
                    % {"organisation": organisation, "other": organisation.county.number, "county": county.number},
                )
        if "county" not in errors and not self.may_manage(county):
            if county is None:
                add("county", _("Give the county number: you may only import participants of your own counties."))
            else:
                add("county", _("You may not manage participants in county %(county)s.") % {"county": county})
        if "role" not in errors and "deputy_rank" not in errors:
            if instance.role == Participant.Role.DEPUTY and instance.deputy_rank is None:
                add("deputy_rank", _("A deputy needs a rank (1 for the first deputy)."))
            elif instance.role and instance.role != Participant.Role.DEPUTY and instance.deputy_rank is not None:
                add("deputy_rank", _("Only deputies have a rank."))
        email = _cell_text(row.get(COLUMNS["email"][0])).lower()
        key = (_cell_text(row.get(COLUMNS["congress"][0])).casefold(), email)
        if email and key in self.duplicate_emails:
            add(
                "email",
                _("The e-mail address %(email)s appears more than once in the file (rows %(rows)s).")
                % {"email": email, "rows": ", ".join(str(number) for number in self.duplicate_emails[key])},
            )
        if errors:
            raise ValidationError(errors)

    # Resolved from this import's own tables (so they exist), or never imported: not asked of the database again.
    LOOKED_UP_FIELDS = ("congress", "county", "organisation", "acting_for", "badge_code")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own validation without a query per row: the fields and ``Model.clean()`` as usual; the
        database's constraints checked against the participants loaded in ``before_import``."""
        ours = {field: list(messages) for field, messages in (import_validation_errors or {}).items()}
        errors: dict[str, list] = {}
        try:
            instance.full_clean(
                exclude=set(ours) | set(self.LOOKED_UP_FIELDS), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        if "congress" not in ours and instance.congress_id is None:
            add("congress", _("Give the congress: its year or its name."))
        constraints = {constraint.name: constraint for constraint in Participant._meta.constraints}
        if instance.congress_id is not None and instance.email and "email" not in ours:
            other = self._by_email.get((instance.congress_id, instance.email.lower()))
            if other is not None and self._identity(other) != self._identity(instance):
                add("email", str(constraints["participant_once_per_congress"].violation_error_message))
        rank_key = self._rank_key(instance)
        identity = self._identity(instance)
        if rank_key is not None and "deputy_rank" not in ours and self._ranks.get(rank_key, identity) != identity:
            add("deputy_rank", str(constraints["participant_unique_deputy_rank"].violation_error_message))
        if instance.acting_for_id is not None and instance.role != Participant.Role.DEPUTY and "role" not in ours:
            add("role", str(constraints["participant_only_deputies_act"].violation_error_message))
        # Model.clean() repeats the organisation/county check made in import_instance: keep our clearer message.
        errors.update(ours)
        if errors:
            raise ValidationError(errors)

    # --- export -------------------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.select_related("congress", "county", "organisation")
        if self.user is not None:
            queryset = scope_to_user(queryset, self.user, county_path="county")
        return queryset


def _ascii_slug(text: str) -> str:
    """A file-name part: Norwegian letters spelt out (æ → ae, ø → o, å → a), then a slug."""
    text = str(text).translate(str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"}))
    return slugify(unicodedata.normalize("NFKD", text))


def export_filename(*, congresses, extension: str, day: datetime.date) -> str:
    """The export's file name in the active language: ``deltakere-landstinget-2024-2026-12-02.csv`` when every row
    is of one congress, ``deltakere-2026-12-02.csv`` otherwise (``participants-…`` in English)."""
    parts = [_ascii_slug(Participant._meta.verbose_name_plural)]
    names = list(congresses)
    if len(names) == 1:
        parts.append(_ascii_slug(names[0]))
    parts.append(day.isoformat())
    return "-".join(part for part in parts if part) + "." + extension
