"""What the staff pages of every app share about the congress: which one the page is about, and the agenda items an
object of a congress may refer to."""

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from agenda.models import Congress
from agenda.selectors import congresses_visible_to
from core.staff import edited_object


def congress_choice(request: HttpRequest) -> tuple[list[Congress], Congress | None]:
    """Every congress the user may see (``selectors.congresses_visible_to``) for the page's picker, newest first,
    and the chosen one: the ``congress`` the form or the query string asks for, else the newest (``None`` when there
    is no congress yet)."""
    user = getattr(request, "user", None) or AnonymousUser()
    congresses = list(congresses_visible_to(user).order_by("-first_day", "-pk"))
    chosen = congresses[0] if congresses else None
    wanted = request.POST.get("congress", "") or request.GET.get("congress", "")
    if wanted.isdigit():
        chosen = next((congress for congress in congresses if congress.pk == int(wanted)), chosen)
    return congresses, chosen


class AgendaItemsOfItsCongressMixin:
    """For the admin of a model with a ``congress`` and an ``agenda_item``: on an object's change page, the agenda item
    is chosen among the items of the object's congress."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agenda_item" and (obj := edited_object(request, self.model.objects.all())) is not None:
            kwargs["queryset"] = obj.congress.agenda_items.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VisibleCongressFilter(admin.RelatedOnlyFieldListFilter):
    """The congress filter of an admin list: the congresses of the rows the user may see, and only those the user may
    see (``congresses_visible_to``), so a regional office's lists never name another office's county meetings."""

    def field_choices(self, field, request, model_admin):
        visible = set(congresses_visible_to(request.user).values_list("pk", flat=True))
        return [(pk, label) for pk, label in super().field_choices(field, request, model_admin) if pk in visible]
