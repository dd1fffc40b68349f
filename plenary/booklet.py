"""The rules of procedure (forretningsorden) in words, as a section of the programme booklet (``agenda.booklet``,
registered in ``plenary.apps``). Printed for a congress that has an agenda: the rules the secretariat saved, or the
defaults that apply without them, and the items with speaking times of their own. Two queries."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

from agenda.booklet import BookletSection
from agenda.models import AgendaItem, Congress
from plenary import selectors
from plenary.models import ItemProcedure

TEMPLATE = "plenary/pdf/booklet_rules.html"


def duration_words(seconds: int) -> str:
    """``seconds`` as people say it: "5 minutes", "45 seconds", "1 minute and 30 seconds"."""
    minutes, rest = divmod(int(seconds), 60)
    minutes_text = npgettext("speaking time", "%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    seconds_text = npgettext("speaking time", "%(count)d second", "%(count)d seconds", rest) % {"count": rest}
    if not rest:
        return minutes_text
    if not minutes:
        return seconds_text
    return pgettext("speaking time", "%(minutes)s and %(seconds)s") % {"minutes": minutes_text, "seconds": seconds_text}


def _item_times(own: ItemProcedure) -> list[str]:
    times = []
    if own.speech_time == ItemProcedure.SpeechTime.UNLIMITED:
        times.append(_("no time limit for the speeches"))
    elif own.speech_time == ItemProcedure.SpeechTime.OWN and own.speech_seconds:
        times.append(_("first speech %(time)s") % {"time": duration_words(own.speech_seconds)})
    if own.introduction_seconds:
        times.append(_("the rapporteur's introduction %(time)s") % {"time": duration_words(own.introduction_seconds)})
    return times


def rules_section(congress: Congress, language: str) -> BookletSection | None:
    items = list(AgendaItem.objects.filter(congress=congress).select_related("plenary_procedure").order_by("number"))
    if not items:
        return None  # no agenda yet: no plenary to print the rules for
    rules = selectors.procedure(congress)
    times = [
        (pgettext("programme booklet", "First speech"), duration_words(rules.first_speech_seconds)),
        (
            pgettext("programme booklet", "Second and later speeches on the same item"),
            duration_words(rules.second_speech_seconds),
        ),
        (pgettext("programme booklet", "Reply"), duration_words(rules.reply_seconds)),
        (pgettext("programme booklet", "Answer to the replies"), duration_words(rules.answer_seconds)),
        (pgettext("programme booklet", "Point of order"), duration_words(rules.point_of_order_seconds)),
    ]
    limits = [
        ngettext(
            "One speech may receive at most %(count)d reply, and the speaker may answer the replies.",
            "One speech may receive at most %(count)d replies, and the speaker may answer the replies.",
            rules.replies_per_speech,
        )
        % {"count": rules.replies_per_speech},
        ngettext(
            "One person may give at most %(count)d speech on one item.",
            "One person may give at most %(count)d speeches on one item.",
            rules.speeches_per_person,
        )
        % {"count": rules.speeches_per_person},
        _(
            "A point of order is heard before everyone else on the list. Replies are heard right after the speech "
            "they answer, followed by the speaker's answer; then the speeches in the order they were asked for."
        ),
        _("When the chair closes the list of speakers (strek), no new speeches are accepted.")
        + " "
        + (
            _("Replies to the speeches already on the list are still accepted.")
            if rules.replies_after_close
            else _("Nor are replies.")
        ),
        _(
            "Delegates, the deputies who have taken a seat and the members of the executive board ask for the floor "
            "on their phone or at the desk. Others speak when the chair gives them the floor."
        ),
        _("The speaking time and any overtime are shown on the hall screen."),
    ]
    own_times = []
    for item in items:
        try:
            own = item.plenary_procedure
        except ItemProcedure.DoesNotExist:
            continue
        if item_times := _item_times(own):
            own_times.append((f"{item.number}. {item.title_in(language)}", item_times))
    return BookletSection(
        title=pgettext("programme booklet", "Rules of procedure"),
        template=TEMPLATE,
        context={"times": times, "limits": limits, "own_times": own_times},
    )
