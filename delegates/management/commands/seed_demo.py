from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from agenda.models import Congress
from core.models import User
from delegates import demo
from delegates.models import County, DelegateKey, Organisation, RegionalOffice
from delegates.services import TieNotSettled, seat_allocation_compute

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
                "(regional office KS Viken: %(regional)s, same password)."
            )
            % {"email": email, "password": password, "regional": regional_email}
        )

    def _seed(self) -> None:
        congress, _created = Congress.objects.update_or_create(
            name=demo.DEMO_CONGRESS["name"], year=demo.DEMO_CONGRESS["year"], defaults=demo.DEMO_CONGRESS
        )
        Organisation.objects.update_or_create(
            kind=Organisation.Kind.SAMFUNNSBEDRIFTENE, defaults={"name": "Samfunnsbedriftene", "county": None}
        )
        for name, email, county_numbers in demo.DEMO_REGIONAL_OFFICES:
            office, _created = RegionalOffice.objects.update_or_create(name=name, defaults={"email": email})
            County.objects.filter(number__in=county_numbers).update(regional_office=office)
        secretariat = self._user(*demo.DEMO_SECRETARIAT_LOGIN, first_name="Sekretariatet", superuser=True)
        regional = self._user(*demo.DEMO_REGIONAL_LOGIN, first_name="KS Viken", superuser=False)
        RegionalOffice.objects.get(name="KS Viken (demo)").staff.add(regional)
        key, _created = DelegateKey.objects.get_or_create(congress=congress)
        seat_allocation_compute(key=key, user=secretariat)

    def _user(self, email: str, password: str, *, first_name: str, superuser: bool) -> User:
        user, _created = User.objects.get_or_create(email=email)
        user.first_name = first_name
        user.last_name = "(demo)"
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        return user
