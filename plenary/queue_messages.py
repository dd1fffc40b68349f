"""The words for the refusals of the pure speaking order (``plenary.queue``), in the user's language."""

from django.utils.translation import gettext as _

from plenary import queue


def refusal_message(refusal: queue.Refusal, rules: queue.Rules) -> str:
    messages = {
        queue.Refusal.LIST_CLOSED: _("The list of speakers is closed."),
        queue.Refusal.ALREADY_WAITING: _("Already on the list for this."),
        queue.Refusal.SPEECH_LIMIT: _("The rules of procedure allow %(count)d speeches per person on one item.")
        % {"count": rules.speeches_per_person},
        queue.Refusal.NO_SPEECH_TO_REPLY_TO: _("There is no speech to reply to right now."),
        queue.Refusal.OWN_SPEECH: _("Nobody replies to their own speech."),
        queue.Refusal.REPLY_LIMIT: _("This speech has had %(count)d replies, as many as the rules of procedure allow.")
        % {"count": rules.replies_per_speech},
        queue.Refusal.NOT_THE_SPEAKER: _("Only the speaker answers the replies to their speech."),
        queue.Refusal.ANSWER_WITHOUT_REPLIES: _("There are no replies to answer."),
    }
    return str(messages[refusal])
