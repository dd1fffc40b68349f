from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from agenda.admin import CongressAdmin
from agenda.models import Congress
from agenda.staff import VisibleCongressFilter
from core.import_export_formats import (
    CSVFormat,
    EncryptedCacheStorage,
    LabelledExportForm,
    LimitedImportForm,
    XLSXFormat,
    describe_unreadable,
)
from core.selectors import background_work_delayed
from core.spreadsheets import UnreadableFile
from core.staff import ReadOnlyAdminMixin
from delegates.admin_scoping import RegionScopedAdminMixin
from delegates.forms import ParticipantAdminForm, SeatOverrideForm
from delegates.mail_texts import ALLOWED as PLACEHOLDER_EXAMPLES
from delegates.mail_texts import default_text
from delegates.models import (
    County,
    CountyHoldBack,
    DelegateKey,
    MailText,
    Organisation,
    Participant,
    PersonalLink,
    RegionalOffice,
    Registration,
    RegistrationSettings,
    SeatAllocation,
    Substitution,
)
from delegates.resources import ParticipantResource, export_filename
from delegates.selectors import (
    invitations_plan,
    mail_texts_in_use,
    participant_number_in,
    user_sees_all_counties,
)
from delegates.services.allocation import seat_allocation_override
from delegates.services.holdback import county_hold_back_set
from delegates.services.invitations import invitations_queue
from delegates.services.links import personal_link_revoke_all


class CountyInline(admin.TabularInline):
    model = County
    fields = ("number", "name")
    readonly_fields = ("number", "name")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RegionalOffice)
class RegionalOfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "county_list")
    search_fields = ("name", "email")
    filter_horizontal = ("staff",)
    inlines = [CountyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("counties")

    @admin.display(description=_("counties"))
    def county_list(self, office: RegionalOffice) -> str:
        return ", ".join(county.name for county in office.counties.all())


@admin.register(County)
class CountyAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    county_path = "pk"

    list_display = ("number", "name", "regional_office", "organisation_count")
    list_select_related = ("regional_office",)
    list_filter = ("regional_office",)
    search_fields = ("number", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(organisation_count=Count("organisations"))

    @admin.display(description=_("organisations"), ordering="organisation_count")
    def organisation_count(self, county: County) -> int:
        return county.organisation_count


@admin.register(Organisation)
class OrganisationAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "kind", "county", "population", "population_date")
    list_select_related = ("county",)
    list_filter = ("kind", ("county", admin.RelatedOnlyFieldListFilter))
    search_fields = ("number", "name", "official_email")
    ordering = ("county__number", "number")


@admin.register(DelegateKey)
class DelegateKeyAdmin(admin.ModelAdmin):
    # The allocation table's link next to the key's congress, so it is never off-screen.
    list_display = (
        "congress",
        "allocation_link",
        "member_seats",
        "samfunnsbedriftene_seats",
        "method",
        "computed_at",
    )
    list_select_related = ("congress",)
    readonly_fields = ("computed_at", "computed_by", "tie_resolution", "allocation_link")
    fieldsets = (
        (None, {"fields": ("congress",)}),
        (
            _("Seats"),
            {"fields": ("member_seats", "samfunnsbedriftene_seats", "method", "min_seats_per_county")},
        ),
        (
            _("Split within a county"),
            {"fields": ("split_rule", "county_municipality_seats", "county_municipality_share")},
        ),
        (_("Allocation"), {"fields": ("allocation_link", "computed_at", "computed_by", "tie_resolution")}),
    )

    @admin.display(description=_("allocation"))
    def allocation_link(self, key: DelegateKey) -> str:
        if not key.pk:
            return "–"
        url = reverse("delegates_staff:seat_allocation", args=[key.pk])
        return format_html('<a href="{}">{}</a>', url, _("Allocation table"))


@admin.register(SeatAllocation)
class SeatAllocationAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    """The override of one county's seats, reached from the key's allocation table and back to it.

    An allocation is made and replaced by computing the key (the allocation table), never deleted here: the form has
    no delete button and the list no delete action.
    """

    form = SeatOverrideForm
    change_form_template = "admin/delegates/seatallocation/change_form.html"
    list_display = ("county", "key", "population_display", "computed_seats", "override_seats", "final_seats_display")
    list_select_related = ("county", "key__congress")
    list_filter = (("key__congress", VisibleCongressFilter),)
    readonly_fields = (
        "key",
        "county",
        "population_display",
        "population_date",
        "computed_seats",
        "seats_by_lot",
        "overridden_by",
        "overridden_at",
    )
    fields = (*readonly_fields, "override_seats", "override_reason")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("final seats"))
    def final_seats_display(self, allocation: SeatAllocation) -> int:
        return allocation.final_seats

    @admin.display(description=SeatAllocation._meta.get_field("population").verbose_name, ordering="population")
    def population_display(self, allocation: SeatAllocation) -> str:
        # In the language's style, grouped: "243 081", "243,081" (never the raw 243081).
        return number_format(allocation.population, force_grouping=True)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "show_delete": False})

    def save_model(self, request, obj, form, change):
        seat_allocation_override(
            allocation=obj,
            seats=form.cleaned_data["override_seats"],
            reason=form.cleaned_data["override_reason"],
            user=request.user,
        )

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_addanother" not in request.POST:
            return redirect("delegates_staff:seat_allocation", pk=obj.key_id)
        return super().response_change(request, obj)


class RegistrationInline(admin.StackedInline):
    """What the participant answered through their link; changed by the participant, not in the admin."""

    model = Registration
    extra = 0
    can_delete = False
    fields = (
        "status",
        "events",
        "hotel_nights",
        "diet",
        "allergies",
        "accessibility",
        "arrival",
        "departure",
        "listed",
        "registered_at",
        "updated_at",
        "cancelled_at",
        "health_data_deleted_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PersonalLinkInline(admin.TabularInline):
    """Issued links: dates and state only. The secret itself exists only in the mail the participant received.

    A participant may hold several links that open at once; each can be revoked on its own page (a staff page, with
    confirmation), all of them with the participants' action "Revoke all personal links"."""

    model = PersonalLink
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "expires_at",
        "mailed_at",
        "first_opened_at",
        "last_opened_at",
        "state",
        "revoked_by",
        "revoke",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).with_problem(at=timezone.now()).select_related("revoked_by")

    @admin.display(description=_("state"))
    def state(self, link: PersonalLink) -> str:
        if link.problem == "revoked":
            return _("Revoked %(date)s") % {
                "date": date_format(timezone.localtime(link.revoked_at), "SHORT_DATE_FORMAT")
            }
        if link.problem == "expired":
            return _("Expired")
        return _("Active")

    @admin.display(description=_("revoke"))
    def revoke(self, link: PersonalLink) -> str:
        if link.pk is None or link.problem:
            return "–"
        url = reverse("delegates_staff:personal_link_revoke", args=[link.pk])
        return format_html('<a href="{}">{}</a>', url, _("Revoke this link…"))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(RegionScopedAdminMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [ParticipantResource]
    # Our formats: formulas escaped without losing a character, Windows-1252 and semicolons read (core.spreadsheets).
    formats = [CSVFormat, XLSXFormat]
    # The upload waits for the confirm step encrypted in the cache, never in the file system; see _forget_upload.
    tmp_storage_class = EncryptedCacheStorage
    import_form_class = LimitedImportForm
    export_form_class = LabelledExportForm
    import_export_change_list_template = "admin/delegates/participant/change_list.html"
    # What fits at 1024 px beside the key columns; gender and "acting for" are filters and on the form.
    list_display = (
        "number_column",
        "last_name",
        "first_name",
        "congress",  # the same person in two congresses is two rows: the congress tells them apart
        "role",
        "deputy_rank",
        "county",
        "organisation",
        "party",
        "status",
    )
    list_select_related = ("congress", "county", "organisation", "acting_for")
    list_filter = (
        ("congress", VisibleCongressFilter),
        "role",
        "status",
        "gender",
        "elected_by",
        "language",
        ("county", admin.RelatedOnlyFieldListFilter),
        ("county__regional_office", admin.RelatedOnlyFieldListFilter),
    )
    list_display_links = ("last_name",)
    search_fields = ("first_name", "last_name", "email", "organisation__name", "party")  # and the number, below
    actions = ["send_invitations", "revoke_links"]
    inlines = [RegistrationInline, PersonalLinkInline]
    form = ParticipantAdminForm
    # Seats change hands only through the withdrawal page, which keeps the record of who replaced whom.
    readonly_fields = ("number", "status", "acting_for")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "congress",
                    "number",
                    "first_name",
                    "last_name",
                    "email",
                    "mobile",
                    "gender",
                    "party",
                    "position",
                    "language",
                )
            },
        ),
        (_("Represents"), {"fields": ("county", "organisation")}),
        (_("Role"), {"fields": ("role", "deputy_rank", "elected_by", "elected_on", "status", "acting_for")}),
    )

    @admin.display(description=_("No."), ordering="number")
    def number_column(self, obj: Participant) -> str:
        return str(obj.number)  # as printed on the badge, never "1 017"

    def get_search_results(self, request, queryset, search_term):
        """Names and addresses as usual, and the participant number ("17", "nr 17", "#17")."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = participant_number_in(search_term)
        if number is not None:
            results = results | queryset.filter(number=number)
        return results, may_have_duplicates

    # --- Import and export (CSV, XLSX): the resource gets the user and refuses other regions' counties ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.county_required = not user_sees_all_counties(request.user)
        return form

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing, also at the confirm step: one invalid row rolls the whole file back.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, _("The file has errors and nothing was imported. Upload it again to see them."))
            return redirect("admin:delegates_participant_import")
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _("Import finished. New: %(new)d, updated: %(updated)d, unchanged: %(skipped)d.")
            % {"new": totals["new"], "updated": totals["update"], "skipped": totals["skip"]},
        )

    def get_export_filename(self, request, queryset, file_format):
        # In the user's language, with the congress when the rows are of one: deltakere-landstinget-2024-….csv
        names = Congress.objects.filter(pk__in=queryset.values("congress_id")).values_list("name", flat=True)
        return export_filename(congresses=names, extension=file_format.get_extension(), day=timezone.localdate())

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", describe_unreadable(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def _forget_upload(self, name: str | None) -> None:
        """Remove a kept upload: it holds names, addresses and phone numbers."""
        if name:
            self.get_tmp_storage_class()(name=name).remove()

    def import_action(self, request, **kwargs):
        # The preview keeps the upload only when the confirm step can follow; every other ending removes it.
        upload = request.FILES.get("import_file")
        try:
            response = super().import_action(request, **kwargs)
        except UnreadableFile as error:  # the cache, where the upload waits, is unavailable
            self._forget_upload(getattr(upload, "tmp_storage_name", None))
            messages.error(request, describe_unreadable(error))
            return redirect("admin:delegates_participant_import")
        except BaseException:
            self._forget_upload(getattr(upload, "tmp_storage_name", None))
            raise
        if not (getattr(response, "context_data", None) or {}).get("confirm_form"):
            self._forget_upload(getattr(upload, "tmp_storage_name", None))
        return response

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except UnreadableFile as error:  # the kept upload expired or the cache is unavailable
            messages.error(request, describe_unreadable(error))
            return redirect("admin:delegates_participant_import")
        finally:  # confirmed, refused or failed: the upload is not needed any more
            self._forget_upload(request.POST.get("import_file_name", "").rsplit("/", 1)[-1])

    # --- Invitations ---

    @admin.action(description=_("Revoke all personal links…"), permissions=["change"])
    def revoke_links(self, request: HttpRequest, queryset):
        """Shows whose links would stop working; revokes them only after confirmation, and logs it per participant."""
        now = timezone.now()
        participants = list(
            queryset.select_related("county")
            .annotate(
                open_links=Count("links", filter=Q(links__revoked_at__isnull=True, links__expires_at__gt=now)),
            )
            .order_by("last_name", "first_name", "pk")
        )
        if request.POST.get("confirm") == "yes":
            revoked = 0
            for participant in participants:
                count = personal_link_revoke_all(participant=participant, user=request.user)
                if count:
                    message = ngettext("Revoked %(count)d personal link.", "Revoked %(count)d personal links.", count)
                    self.log_change(request, participant, message % {"count": count})
                revoked += count
            self.message_user(
                request,
                ngettext("%(count)d link revoked.", "%(count)d links revoked.", revoked) % {"count": revoked},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke all personal links"),
            "opts": self.model._meta,
            "selected": participants,
            "open_links": sum(p.open_links for p in participants),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/delegates/participant/revoke_links.html", context)

    @admin.action(description=_("Send invitations with personal links…"), permissions=["change"])
    def send_invitations(self, request: HttpRequest, queryset):
        """Shows who would get an invitation and who is refused (the dry run); sends only after confirmation."""
        participants = list(
            queryset.select_related("congress", "county", "organisation").prefetch_related("links").order_by("pk")
        )
        if request.POST.get("confirm") == "yes":
            # "Send anyway (late addition)": only offered, and only honoured by the service, before the first day.
            late_addition = request.POST.get("late_addition") == "yes"
            plan = invitations_queue(participants=participants, user=request.user, late_addition=late_addition)
            for participant in plan.late_additions if late_addition else ():
                if participant in plan.to_send:
                    self.log_change(
                        request,
                        participant,
                        _("Invitation sent after the registration deadline of %(congress)s, as a late addition.")
                        % {"congress": participant.congress},
                    )
            if plan.to_send and background_work_delayed():
                # Stored as jobs, not lost: said so, so that nobody sends them a second time.
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d invitation is stored, but the background process that sends invitations cannot "
                        "be reached right now. It will be sent as soon as the background process is back; do not "
                        "send it again.",
                        "%(count)d invitations are stored, but the background process that sends invitations cannot "
                        "be reached right now. They will be sent as soon as the background process is back; do not "
                        "send them again.",
                        len(plan.to_send),
                    )
                    % {"count": len(plan.to_send)},
                    messages.WARNING,
                )
            elif plan.to_send:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d invitation is queued, waiting for the background process to send it.",
                        "%(count)d invitations are queued, waiting for the background process to send them.",
                        len(plan.to_send),
                    )
                    % {"count": len(plan.to_send)},
                    messages.SUCCESS,
                )
            for participant, reason in plan.refused:
                self.message_user(
                    request,
                    _("Not sent to %(name)s: %(reason)s") % {"name": participant, "reason": reason},
                    messages.WARNING,
                )
            return None
        plan = invitations_plan(participants=participants)
        already = [p for p in plan.to_send if any(link.mailed_at for link in p.links.all())]
        congresses = sorted({p.congress for p in participants}, key=lambda c: (c.first_day, c.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send invitations"),
            "opts": self.model._meta,
            "plan": plan,
            "already_invited": already,
            "congresses": congresses,
            "selected": participants,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/delegates/participant/send_invitations.html", context)


@admin.register(Substitution)
class SubstitutionAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    county_path = "withdrawn__county"
    list_display = ("withdrawn", "replacement", "replacement_chosen", "reason", "created_by", "created_at")
    list_select_related = ("withdrawn", "replacement", "created_by")
    list_filter = (("congress", VisibleCongressFilter),)
    readonly_fields = (
        "congress",
        "withdrawn",
        "replacement",
        "reason",
        "replacement_chosen",
        "created_by",
        "created_at",
    )


@admin.register(CountyHoldBack)
class CountyHoldBackAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    list_display = ("county", "congress", "reason", "created_by", "created_at")
    list_select_related = ("county", "congress", "created_by")
    list_filter = (("congress", VisibleCongressFilter),)
    fields = ("congress", "county", "reason")

    def save_model(self, request, obj, form, change):
        saved = county_hold_back_set(congress=obj.congress, county=obj.county, reason=obj.reason, user=request.user)
        obj.pk, obj.created_by, obj.created_at = saved.pk, saved.created_by, saved.created_at


@admin.register(MailText)
class MailTextAdmin(admin.ModelAdmin):
    """The mail texts staff wrote, and above them every kind of mail as it goes out for a congress: the built-in
    text until staff customise it (``mail_texts_in_use``), so the list never reads as if no mail had a text."""

    change_list_template = "admin/delegates/mailtext/change_list_in_use.html"
    list_display = ("kind", "language", "congress", "subject")
    list_filter = (("congress", VisibleCongressFilter), "kind", "language")
    fields = ("congress", "kind", "language", "subject", "body", "placeholders")
    readonly_fields = ("placeholders",)

    @admin.display(description=_("placeholders you can use"))
    def placeholders(self, obj=None) -> str:
        return format_html(
            "{}<br>{}",
            ", ".join(f"{{{name}}}" for name in PLACEHOLDER_EXAMPLES),
            _("The invitation, reminder, new-link and confirmation mails must contain {link}."),
        )

    def changelist_view(self, request, extra_context=None):
        congresses = list(Congress.objects.order_by("-first_day")[:3])
        # The texts in use for the congress picked in the list's filter, else the latest one.
        picked = request.GET.get("congress__id__exact", "")
        congress = (Congress.objects.filter(pk=picked).first() if picked.isdigit() else None) or next(
            iter(congresses), None
        )
        extra_context = {
            **(extra_context or {}),
            "letter_previews": [
                (previewed, language, label)
                for previewed in congresses
                for language, label in MailText.Language.choices
            ],
            "texts_congress": congress,
            "texts_in_use": mail_texts_in_use(congress) if congress else [],
            "can_add_text": self.has_add_permission(request),
            "can_change_text": self.has_change_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def get_changeform_initial_data(self, request):
        # "Customise" from the list: the form starts from the built-in text of that kind and language.
        initial = super().get_changeform_initial_data(request)
        kind, language = initial.get("kind"), initial.get("language")
        if kind in MailText.Kind.values and language in MailText.Language.values and not initial.get("body"):
            initial["subject"], initial["body"] = default_text(kind, language)
        return initial


class RegistrationSettingsInline(admin.StackedInline):
    model = RegistrationSettings
    can_delete = False
    max_num = 1
    min_num = 1
    verbose_name = _("Invitations, registration and personal data")
    fields = (
        "link_validity_days",
        "reminder_days_before_deadline",
        "travel_information",
        "travel_information_en",
        "health_data_retention_days",
    )


CongressAdmin.settings_inlines.append(RegistrationSettingsInline)
