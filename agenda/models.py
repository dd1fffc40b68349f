from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Congress(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        INVITATIONS = "invitations", _("Invitations sent")
        REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
        IN_SESSION = "in_session", _("In session")
        CONCLUDED = "concluded", _("Concluded")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    city = models.CharField(_("city"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    registration_deadline = models.DateField(_("registration deadline"))
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.PLANNING)

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["-first_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "year"],
                name="congress_unique_name_year",
                violation_error_message=_("A congress with this name and year already exists."),
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="congress_last_day_after_first",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=F("first_day")),
                name="congress_deadline_before_start",
                violation_error_message=_("The registration deadline must be on or before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
