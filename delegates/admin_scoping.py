"""The one scoping rule in the admin: regional office staff see and touch only their own counties' rows. Shared by
the admins of every app whose rows belong to a county (delegates, county meetings)."""

from django.contrib.admin.utils import unquote

from delegates.models import County, Organisation, Participant
from delegates.selectors import counties_visible_to, county_visible_to, scope_to_user


class RegionScopedAdminMixin:
    """Regional office staff see and touch only their own counties' rows, in lists, forms, actions and URLs.

    ``county_path`` leads from the model to its County. Every queryset the admin builds (changelist, change view,
    delete, actions, exports) starts from ``get_queryset``, so a guessed id of another region is simply not found.
    """

    county_path = "county"

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, county_path=self.county_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is County:
            kwargs["queryset"] = counties_visible_to(request.user)
        elif related is Organisation:
            kwargs["queryset"] = scope_to_user(
                Organisation.objects.select_related("county"), request.user, county_path="county"
            )
        elif related is Participant:
            kwargs["queryset"] = scope_to_user(Participant.objects.all(), request.user, county_path="county")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _county_of(self, obj) -> County | None:
        if self.county_path == "pk":
            return obj
        for part in self.county_path.split("__"):
            obj = getattr(obj, part, None)
        return obj

    def _in_scope(self, request, obj) -> bool:
        return obj is None or county_visible_to(request.user, self._county_of(obj))

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history checks permissions on the old version; the current row must be in scope too.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
