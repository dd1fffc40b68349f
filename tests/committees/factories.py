"""Test data for the committee work: a small political document loaded through the service, committees, delegates."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from committees.models import Chapter, Committee, PoliticalDocument, StatementSettings
from committees.services import amendment_submit, political_document_load
from tests.factories import CongressFactory, OrganisationFactory, ParticipantFactory

SAMPLE_DOCUMENT = """# Kommunesektorens politiske prioriteringer

## Lokaldemokrati og tillit

Et levende lokaldemokrati bygger på tillit mellom innbyggerne og de folkevalgte. Kommunene og fylkeskommunene må ha
handlingsrom til å prioritere etter lokale behov, og staten må la være å detaljstyre gjennom øremerking og lovkrav.

KS vil arbeide for at flere unge stiller til valg, og for at folkevalgte som opplever hets og trusler får støtte.

## Økonomi og handlingsrom

Inntektssystemet må gi kommunene likeverdige muligheter til å gi gode tjenester over hele landet.

- Nye oppgaver skal være fullfinansiert.
- Veksten i frie inntekter må dekke den demografiske utviklingen.

## Arbeidsgiverpolitikk

Kommunesektoren er landets største arbeidsgiver. Rekruttering av sykepleiere, lærere og ingeniører er en
felles utfordring som krever nye løsninger for heltid, kompetanse og bruk av teknologi i tjenestene.
"""


def load_document(congress=None, *, text: str = SAMPLE_DOCUMENT, line_length: int = 60, open_for_days: int | None = 10):
    """The sample document, loaded and numbered; open for amendments unless ``open_for_days`` is None."""
    congress = congress or CongressFactory()
    political_document_load(congress=congress, text=text, text_format="markdown", line_length=line_length, user=None)
    document = PoliticalDocument.objects.get(congress=congress)
    if open_for_days is not None:
        document.amendment_deadline = timezone.localdate() + datetime.timedelta(days=open_for_days)
        document.save(update_fields=["amendment_deadline"])
    return document


def chapter_of(document, number: int) -> Chapter:
    return Chapter.objects.get(document=document, number=number)


def submit_amendment(
    document, submitter, *, chapter=1, kind="replace", line_from=6, line_to=7, text="Ny tekst.", **kwargs
):
    """An amendment through the service: by default, new text for lines 6 to 7 of chapter 1."""
    return amendment_submit(
        document=document,
        submitter=submitter,
        chapter=chapter_of(document, chapter),
        kind=kind,
        line_from=line_from,
        line_to=line_to,
        text=text,
        justification=kwargs.pop("justification", "Fordi."),
        **kwargs,
    )


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    congress = factory.SubFactory(CongressFactory)
    name = factory.Sequence(lambda n: f"Komité {n + 1}")
    kind = Committee.Kind.ORDINARY
    mandate = "Behandle kapitlene komiteen har fått tildelt."


def delegate(congress, **kwargs):
    """An active delegate with the right to vote, in a municipality of its own."""
    organisation = kwargs.pop("organisation", None) or OrganisationFactory()
    return ParticipantFactory(congress=congress, organisation=organisation, county=organisation.county, **kwargs)


class StatementSettingsFactory(DjangoModelFactory):
    class Meta:
        model = StatementSettings

    congress = factory.SubFactory(CongressFactory)
    statement_deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
