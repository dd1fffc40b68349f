from agenda.models import Congress


def congress_current() -> Congress | None:
    """The congress people are working on: the one that starts last."""
    return Congress.objects.order_by("-first_day").first()
