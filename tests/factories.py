import datetime

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from agenda.models import Congress
from core.groups import REGIONAL_OFFICE_GROUP, staff_groups_ensure
from core.models import User
from delegates.models import County, DelegateKey, Organisation, Participant, RegionalOffice, RegistrationSettings

#: Every factory user's password.
PASSWORD = "correct horse battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.no")
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Nordmann{n}")
    password = factory.django.Password(PASSWORD)


class StaffUserFactory(UserFactory):
    is_staff = True


class SecretariatUserFactory(StaffUserFactory):
    is_superuser = True


def regional_staff_user(office: RegionalOffice | None = None, **fields) -> User:
    """A staff user in the regional office group, on the staff of ``office`` (of a new office when none is given)."""
    staff_groups_ensure()
    user = StaffUserFactory(**fields)
    user.groups.add(Group.objects.get(name=REGIONAL_OFFICE_GROUP))
    (office or RegionalOfficeFactory()).staff.add(user)
    return user


class CongressFactory(DjangoModelFactory):
    class Meta:
        model = Congress

    name = factory.Sequence(lambda n: f"Landstinget {2024 + n}")
    year = 2024
    city = "Trondheim"
    venue = "Trondheim Spektrum"
    first_day = datetime.date(2024, 2, 13)
    last_day = datetime.date(2024, 2, 14)
    registration_deadline = datetime.date(2024, 1, 15)


class RegistrationSettingsFactory(DjangoModelFactory):
    class Meta:
        model = RegistrationSettings

    congress = factory.SubFactory(CongressFactory)


class RegionalOfficeFactory(DjangoModelFactory):
    class Meta:
        model = RegionalOffice

    name = factory.Sequence(lambda n: f"KS Region {n}")
    email = factory.Sequence(lambda n: f"region{n}@ks.no")


class CountyFactory(DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name = factory.Sequence(lambda n: f"Fylke {n}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.MUNICIPALITY
    number = factory.Sequence(lambda n: f"{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Kommune {n}")
    county = factory.SubFactory(CountyFactory)
    population = 10_000
    population_date = datetime.date(2024, 1, 1)


class DelegateKeyFactory(DjangoModelFactory):
    class Meta:
        model = DelegateKey

    congress = factory.SubFactory(CongressFactory)


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    congress = factory.SubFactory(CongressFactory)
    first_name = factory.Iterator(["Kari", "Ola", "Ingrid", "Lars", "Åse", "Bjørn", "Sølvi", "Håkon"])
    last_name = factory.Sequence(lambda n: f"Hansen{n}")
    email = factory.Sequence(lambda n: f"deltaker{n}@example.no")
    gender = factory.Iterator(["female", "male"])
    party = factory.Iterator(["Ap", "H", "Sp", "FrP", "SV"])
    role = "delegate"
    county = factory.SubFactory(CountyFactory)
    elected_by = "county_meeting"
