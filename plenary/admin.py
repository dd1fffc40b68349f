from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agenda.admin import AgendaItemAdmin, CongressAdmin
from agenda.staff import VisibleCongressFilter
from core.staff import ReadOnlyAdminMixin
from plenary.models import ItemProcedure, Officer, Procedure, SpeakerRequest


class ProcedureInline(admin.StackedInline):
    model = Procedure
    can_delete = False
    max_num = 1
    min_num = 1
    verbose_name = _("Rules of procedure (forretningsorden)")
    fieldsets = (
        (
            _("Speaking time"),
            {
                "fields": (
                    ("first_speech_seconds", "second_speech_seconds"),
                    ("reply_seconds", "answer_seconds", "point_of_order_seconds"),
                )
            },
        ),
        (_("Limits"), {"fields": (("replies_per_speech", "speeches_per_person"), "replies_after_close")}),
    )


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    fields = ("role", "participant", "name", "title", "order")
    autocomplete_fields = ("participant",)
    verbose_name = _("chair or minutes signer")
    verbose_name_plural = _("Chairs (dirigenter) and minutes signers")


CongressAdmin.settings_inlines += [ProcedureInline, OfficerInline]


class ItemProcedureInline(admin.StackedInline):
    model = ItemProcedure
    can_delete = False
    max_num = 1
    verbose_name = _("Speaking times of the item")
    fields = (("speech_time", "speech_seconds"), "introduction_seconds")


AgendaItemAdmin.settings_inlines.append(ItemProcedureInline)


@admin.register(SpeakerRequest)
class SpeakerRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("item", "order", "speaker", "kind", "state", "started_at", "ended_at", "added_by")
    list_filter = (("item__congress", VisibleCongressFilter), "kind", "state")
    list_select_related = ("item", "participant", "added_by")
    search_fields = ("participant__first_name", "participant__last_name", "speaker_name", "item__title")
    ordering = ("item__congress", "item__number", "order")

    @admin.display(description=_("speaker"))
    def speaker(self, obj: SpeakerRequest) -> str:
        return obj.name
