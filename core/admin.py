from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import services
from core.models import OutboxMail, User, outbox_sending_timeout
from core.outbox_purposes import outbox_purpose_choices, outbox_purpose_label
from core.staff import ReadOnlyAdminMixin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)


class OutcomeUnknownFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("unknown", _("Sending – outcome unknown"))]

    def queryset(self, request, queryset):
        if self.value() == "unknown":
            return queryset.filter(
                status=OutboxMail.Status.SENDING, sending_started_at__lt=timezone.now() - outbox_sending_timeout()
            )
        return queryset


class InterruptedFilter(admin.SimpleListFilter):
    """The recipients who may have received a mail twice: its send was interrupted and it was sent again."""

    title = _("sending interrupted")
    parameter_name = "interrupted"

    def lookups(self, request, model_admin):
        return [("yes", _("Interrupted – may have arrived twice"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(outcome_unknown_at__isnull=False)
        return queryset


class PurposeFilter(admin.SimpleListFilter):
    """The purposes in the outbox, by their labels (``core.outbox_purposes``), not their codes."""

    title = _("purpose")
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        purposes = OutboxMail.objects.order_by().values_list("purpose", flat=True).distinct()
        return outbox_purpose_choices(purposes)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(purpose=self.value())
        return queryset


@admin.register(OutboxMail)
class OutboxMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Outgoing e-mail, read-only. Visible to superusers and to users with ``core.view_outboxmail``.

    Staff can "send again" (a new row) and "retry now" (the same row back to the queue); nothing else is edited here.
    """

    # The status next to the recipient and subject, and only what fits at 1024 px: the attempts are on the mail's
    # page; an interrupted send is flagged in the status (issue 13: the recipient may have two) and is a filter.
    list_display = (
        "to",
        "subject",
        "status_display",
        "purpose_display",
        "created_at",
        "sent_at",
        "last_error_short",
    )
    list_filter = ("status", OutcomeUnknownFilter, InterruptedFilter, PurposeFilter)
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    actions = ("send_again", "retry_now")
    fields = (
        "to",
        "reply_to",
        "subject",
        "purpose_display",
        "status_display",
        "attempts",
        "next_attempt_at",
        "sending_started_at",
        "last_error",
        "created_at",
        "sent_at",
        "body_purged_at",
        "outcome_unknown_at",
        "replaced_by",
        "replaces_display",
        "related_participant_id",
        "dedupe_key",
        "body_text_display",
        "body_html_display",
        "attachment_list",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_text", "body_html")

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_display(self, obj: OutboxMail) -> str:
        return outbox_purpose_label(obj.purpose)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: OutboxMail):
        if obj.is_outcome_unknown:
            return format_html('<strong class="errornote">{}</strong>', _("Sending – outcome unknown"))
        if obj.outcome_unknown_at is not None:
            return format_html(
                '{}<br><strong class="errornote">{}</strong>', obj.get_status_display(), _("May have arrived twice")
            )
        return obj.get_status_display()

    @admin.display(description=_("sent again instead of"))
    def replaces_display(self, obj: OutboxMail) -> str:
        replaced = OutboxMail.objects.filter(replaced_by=obj).only("pk", "subject", "to").first()
        return str(replaced) if replaced is not None else "–"

    @admin.display(description=_("text"))
    def body_text_display(self, obj: OutboxMail) -> str:
        return self._body(obj, obj.body_text)

    @admin.display(description=_("HTML"))
    def body_html_display(self, obj: OutboxMail) -> str:
        return self._body(obj, obj.body_html)

    def _body(self, obj: OutboxMail, body: str) -> str:
        if obj.contains_secret:
            return _("Not shown: the mail contains a personal link.")
        return body

    def has_resend_permission(self, request) -> bool:
        # The outbox is read-only, but sending mail again is a change: not for those who may only look.
        return request.user.has_perm("core.change_outboxmail")

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: OutboxMail) -> str:
        return Truncator(obj.last_error).chars(120)

    @admin.display(description=_("attachments"))
    def attachment_list(self, obj: OutboxMail):
        attachments = obj.attachments.values_list("filename", "content_type", "content")
        rows = [(name, content_type, filesizeformat(len(content))) for name, content_type, content in attachments]
        if not rows:
            return "–"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} ({}, {})</li>", rows))

    @admin.action(description=_("Send again (as a new mail)"), permissions=["resend"])
    def send_again(self, request, queryset):
        # The service decides which mails may be sent again; every refusal counts as skipped.
        total = 0
        sent = 0
        for mail in queryset.only("pk").order_by("pk"):
            total += 1
            try:
                services.outbox_resend(mail=mail)
            except services.OutboxResendRefused:
                continue
            sent += 1
        self._report(
            request,
            done=ngettext("%(count)d mail queued to be sent again.", "%(count)d mails queued to be sent again.", sent)
            % {"count": sent},
            queued=sent,
            total=total,
            why=ngettext(
                "%(count)d mail skipped: only sent, failed or stale mails whose text is kept can be sent again.",
                "%(count)d mails skipped: only sent, failed or stale mails whose text is kept can be sent again.",
                total - sent,
            ),
        )

    @admin.action(description=_("Retry now"), permissions=["resend"])
    def retry_now(self, request, queryset):
        total = queryset.count()
        requeued = services.outbox_requeue(mail_ids=list(queryset.values_list("pk", flat=True)))
        self._report(
            request,
            done=ngettext("%(count)d mail queued again.", "%(count)d mails queued again.", requeued)
            % {"count": requeued},
            queued=requeued,
            total=total,
            why=ngettext(
                "%(count)d mail skipped: only queued, failed or retrying mails whose text is kept can be retried.",
                "%(count)d mails skipped: only queued, failed or retrying mails whose text is kept can be retried.",
                total - requeued,
            ),
        )

    def _report(self, request, *, done: str, queued: int, total: int, why: str) -> None:
        """What an action on ``total`` mails did (``done``, a warning when it queued none), and why it skipped the
        others (``why``, of their number)."""
        self.message_user(request, done, messages.SUCCESS if queued else messages.WARNING)
        if skipped := total - queued:
            self.message_user(request, why % {"count": skipped}, messages.WARNING)
