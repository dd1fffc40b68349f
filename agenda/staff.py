"""What the staff pages of every app share about the congress: which one the page is about."""

from django.http import HttpRequest

from agenda.models import Congress


def congress_choice(request: HttpRequest) -> tuple[list[Congress], Congress | None]:
    """Every congress for the page's picker, newest first, and the chosen one: the ``congress`` the form or the query
    string asks for, else the newest (``None`` when there is no congress yet)."""
    congresses = list(Congress.objects.order_by("-first_day", "-pk"))
    chosen = congresses[0] if congresses else None
    wanted = request.POST.get("congress", "") or request.GET.get("congress", "")
    if wanted.isdigit():
        chosen = next((congress for congress in congresses if congress.pk == int(wanted)), chosen)
    return congresses, chosen
