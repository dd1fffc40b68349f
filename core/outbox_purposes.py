"""What an outbox mail is for, in words: the apps that queue mail register a label for each ``purpose`` code.

The outbox (``core.OutboxMail.purpose``) stores a code such as ``invitation`` or ``lost_link``; core cannot know the
codes of the apps above it, so each app registers its labels in its ``AppConfig.ready`` (``delegates`` registers
``MailText.Kind``). The admin shows the label, and the code only for a purpose nobody registered.
"""

from collections.abc import Iterable, Mapping

_labels: dict[str, str] = {}


def outbox_purpose_labels_register(labels: Mapping[str, str]) -> None:
    """Register a (lazily translated) label for each purpose code."""
    _labels.update(labels)


def outbox_purpose_label(purpose: str) -> str:
    """The purpose's label in the active language; the code itself when nobody registered one."""
    label = _labels.get(purpose)
    return str(label) if label is not None else purpose


def outbox_purpose_choices(purposes: Iterable[str]) -> list[tuple[str, str]]:
    """``(code, label)`` for the given codes, sorted by label."""
    return sorted(((p, outbox_purpose_label(p)) for p in set(purposes) if p), key=lambda choice: choice[1].lower())
