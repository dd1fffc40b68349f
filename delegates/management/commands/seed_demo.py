import datetime
import zoneinfo
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from agenda.models import AgendaItem, Congress, Event
from core.groups import REGIONAL_OFFICE_GROUP, staff_groups_ensure
from core.models import User
from delegates import demo
from delegates.models import (
    County,
    DelegateKey,
    Organisation,
    Participant,
    RegionalOffice,
    RegistrationSettings,
    Substitution,
)
from delegates.services.allocation import TieNotSettled, seat_allocation_compute

DEMO_SECRETARY_EMAIL = "komite@ks-landsting.test"  # created by committees.demo, which listens to demo_seeded
POPULATION_FILE = Path(__file__).resolve().parents[2] / "data" / "kommuner_2024_folketall.csv"


class Command(BaseCommand):
    help = "Create or refresh the demo congress (Landstinget 2024, Trondheim) with real counties and municipalities."

    def handle(self, *args, **options):
        call_command("import_population", str(POPULATION_FILE), stdout=self.stdout)
        try:
            with transaction.atomic():
                self._seed()
        except (TieNotSettled, ValidationError) as error:
            raise CommandError(str(error)) from error
        email, password = demo.DEMO_SECRETARIAT_LOGIN
        regional_email, _regional_password = demo.DEMO_REGIONAL_LOGIN
        self.stdout.write(
            _(
                "Demo congress ready. Secretariat login: %(email)s / %(password)s "
                "(regional office KS Viken: %(regional)s, committee secretary: %(secretary)s, same password)."
            )
            % {"email": email, "password": password, "regional": regional_email, "secretary": DEMO_SECRETARY_EMAIL}
        )

    def _seed(self) -> None:
        demo.demo_resetting.send(
            sender=self.__class__,
            congresses=list(
                Congress.objects.filter(name__in=[demo.DEMO_CONGRESS["name"], demo.UPCOMING_CONGRESS["name"]])
            ),
        )
        congress, _created = Congress.objects.update_or_create(
            name=demo.DEMO_CONGRESS["name"], year=demo.DEMO_CONGRESS["year"], defaults=demo.DEMO_CONGRESS
        )
        RegistrationSettings.objects.update_or_create(
            congress=congress, defaults=demo.demo_registration_settings(congress.name)
        )
        self._programme(congress)
        self._agenda(congress)
        samfunnsbedriftene, _created = Organisation.objects.update_or_create(
            kind=Organisation.Kind.SAMFUNNSBEDRIFTENE, defaults={"name": "Samfunnsbedriftene", "county": None}
        )
        for name, email, county_numbers in demo.DEMO_REGIONAL_OFFICES:
            office, _created = RegionalOffice.objects.update_or_create(name=name, defaults={"email": email})
            County.objects.filter(number__in=county_numbers).update(regional_office=office)
        secretariat = self._user(*demo.DEMO_SECRETARIAT_LOGIN, first_name="Sekretariatet", superuser=True)
        regional = self._user(*demo.DEMO_REGIONAL_LOGIN, first_name="KS Viken", superuser=False)
        RegionalOffice.objects.get(name="KS Viken (demo)").staff.add(regional)
        staff_groups_ensure()
        regional.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
        key, _created = DelegateKey.objects.get_or_create(congress=congress)
        seat_allocation_compute(key=key, user=secretariat)
        self._participants(congress=congress, key=key, samfunnsbedriftene=samfunnsbedriftene)
        upcoming = self._upcoming(source=congress, user=secretariat)
        demo.demo_seeded.send(sender=self.__class__, congresses=[congress, upcoming], user=secretariat)

    def _upcoming(self, *, source: Congress, user: User) -> Congress:
        """A small congress whose registration is open now, so that invitations and the portal can be tried.

        Landstinget 2024 is history (its deadline has passed): this one is dated from today, with KS Viken's
        delegates and deputies copied from it.
        """
        today = timezone.localdate()
        first_day = today + datetime.timedelta(days=demo.UPCOMING_DAYS_AHEAD)
        congress, _created = Congress.objects.update_or_create(
            name=demo.UPCOMING_CONGRESS["name"],
            defaults={
                **demo.UPCOMING_CONGRESS,
                "year": first_day.year,
                "first_day": first_day,
                "last_day": first_day,
                "registration_deadline": first_day - datetime.timedelta(days=14),
            },
        )
        RegistrationSettings.objects.update_or_create(
            congress=congress, defaults=demo.demo_registration_settings(congress.name)
        )
        oslo = zoneinfo.ZoneInfo("Europe/Oslo")
        Event.objects.update_or_create(
            congress=congress,
            title="Ekstraordinært landsting",
            defaults={
                "title_en": "Extraordinary Landsting",
                "kind": Event.Kind.LANDSTING_SESSION,
                "starts_at": datetime.datetime.combine(first_day, datetime.time(10, 0), tzinfo=oslo),
                "ends_at": datetime.datetime.combine(first_day, datetime.time(15, 0), tzinfo=oslo),
                "venue": congress.venue,
                "invited_roles": demo.LANDSTING_INVITED_ROLES,
                "registration_required": True,
            },
        )
        Participant.objects.filter(congress=congress).delete()
        copies = [
            Participant(
                congress=congress,
                **{field: getattr(person, field) for field in demo.COPIED_PARTICIPANT_FIELDS},
            )
            for person in Participant.objects.filter(
                congress=source, county__number__in=demo.UPCOMING_COUNTIES, status=Participant.Status.ACTIVE
            ).order_by("pk")
        ]
        bulk_create_with_history(copies, Participant)
        key, _created = DelegateKey.objects.get_or_create(congress=congress)
        seat_allocation_compute(key=key, user=user)
        return congress

    def _programme(self, congress: Congress) -> None:
        oslo = zoneinfo.ZoneInfo("Europe/Oslo")
        for title, title_en, kind, start, end, roles, registration in demo.DEMO_PROGRAMME:
            Event.objects.update_or_create(
                congress=congress,
                title=title,
                defaults={
                    "title_en": title_en,
                    "kind": kind,
                    "starts_at": datetime.datetime(2024, 2, start[0], start[1], start[2], tzinfo=oslo),
                    "ends_at": datetime.datetime(2024, 2, end[0], end[1], end[2], tzinfo=oslo),
                    "venue": congress.venue,
                    "invited_roles": roles,
                    "registration_required": registration,
                },
            )

    def _agenda(self, congress: Congress) -> None:
        oslo = zoneinfo.ZoneInfo("Europe/Oslo")
        sessions = {event.title: event for event in Event.objects.filter(congress=congress)}
        for number, title, title_en, kind, session, rapporteur, start, minutes in demo.DEMO_AGENDA:
            AgendaItem.objects.update_or_create(
                congress=congress,
                number=number,
                defaults={
                    "title": title,
                    "title_en": title_en,
                    "kind": kind,
                    "session": sessions[session],
                    "rapporteur": rapporteur,
                    "planned_start": datetime.datetime(2024, 2, start[0], start[1], start[2], tzinfo=oslo),
                    "planned_minutes": minutes,
                    # Landstinget 2024 is over: its agenda carries the plenary's decisions.
                    "decision": demo.DEMO_AGENDA_DECISIONS.get(number, ""),
                },
            )

    def _participants(self, *, congress: Congress, key: DelegateKey, samfunnsbedriftene: Organisation) -> None:
        """Replace the demo congress's generated delegates and deputies (idempotent: nothing is duplicated)."""
        demo_people = Participant.objects.filter(congress=congress, email__iendswith=f"@{demo.DEMO_EMAIL_DOMAIN}")
        Substitution.objects.filter(withdrawn__in=demo_people).delete()
        Substitution.objects.filter(replacement__in=demo_people).delete()
        demo_people.delete()

        organisations: dict[int, list[Organisation]] = {}
        for organisation in Organisation.objects.filter(county__isnull=False).order_by("number"):
            organisations.setdefault(organisation.county_id, []).append(organisation)
        counties = []
        for allocation in key.allocations.select_related("county").order_by("county__number"):
            county_orgs = organisations.get(allocation.county_id, [])
            single = next((o for o in county_orgs if o.kind == Organisation.Kind.MUNICIPALITY_AND_COUNTY), None)
            county_org = next((o for o in county_orgs if o.kind == Organisation.Kind.COUNTY_MUNICIPALITY), None)
            municipalities = [o for o in county_orgs if o.kind in Organisation.MUNICIPAL_KINDS]
            if not municipalities:
                continue
            county_seats, municipal_seats = key.split_seats(
                allocation.final_seats, single_delegation=single is not None or county_org is None
            )
            counties.append(
                demo.DemoCounty(
                    county=allocation.county,
                    county_organisation=None if single is not None else county_org,
                    municipalities=municipalities,
                    county_seats=county_seats,
                    municipal_seats=municipal_seats,
                )
            )
        people = demo.build_demo_participants(
            congress=congress,
            counties=counties,
            samfunnsbedriftene=samfunnsbedriftene,
            samfunnsbedriftene_seats=key.samfunnsbedriftene_seats,
        )
        bulk_create_with_history(people, Participant)

    def _user(self, email: str, password: str, *, first_name: str, superuser: bool) -> User:
        user, _created = User.objects.get_or_create(email=email)
        user.first_name = first_name
        user.last_name = "(demo)"
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        return user
