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


class CountyMeetingFactory(DjangoModelFactory):
    """A county meeting of the 2023 elections with its congress (of the kind "county meeting")."""

    class Meta:
        model = "county_meetings.CountyMeeting"

    congress = factory.SubFactory(
        CongressFactory,
        name=factory.Sequence(lambda n: f"Fylkesmøtet {n}"),
        year=2023,
        kind=Congress.Kind.COUNTY_MEETING,
        first_day=datetime.date(2023, 11, 20),
        last_day=datetime.date(2023, 11, 21),
        registration_deadline=datetime.date(2023, 11, 1),
    )
    county = factory.SubFactory(CountyFactory)
    election_year = 2023
    seats = 20


def published_county_meeting(
    *, office: RegionalOffice | None = None, municipalities: int = 3, seats_each: int = 2, days_ahead: int = 60
):
    """A county meeting to report to (issue 16, part 3): a county of ``office`` with a county municipality and
    ``municipalities`` municipalities, each with an official address and ``seats_each`` representatives in the
    published table; the meeting ``days_ahead`` days from today, its report deadline a week before."""
    from django.utils import timezone

    from county_meetings.models import MeetingSeat

    today = timezone.localdate()
    county = CountyFactory(regional_office=office or RegionalOfficeFactory())
    members = [
        OrganisationFactory(
            kind=Organisation.Kind.COUNTY_MUNICIPALITY,
            number=f"{county.number}",
            name=f"{county.name} fylkeskommune",
            county=county,
            official_email=f"postmottak@fylke{county.number}.no",
        )
    ]
    for index in range(municipalities):
        members.append(
            OrganisationFactory(county=county, official_email=f"postmottak{index}@kommune{county.number}.no")
        )
    first_day = today + datetime.timedelta(days=days_ahead)
    meeting = CountyMeetingFactory(
        county=county,
        congress__first_day=first_day,
        congress__last_day=first_day + datetime.timedelta(days=1),
        congress__registration_deadline=first_day - datetime.timedelta(days=14),
        congress__year=first_day.year,
        seats=seats_each * len(members),
        report_deadline=first_day - datetime.timedelta(days=7),
        seats_published_at=timezone.now(),
    )
    MeetingSeat.objects.bulk_create(
        MeetingSeat(meeting=meeting, organisation=member, computed_seats=seats_each) for member in members
    )
    return meeting
