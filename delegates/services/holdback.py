"""Holding back a county's invitations."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agenda.models import Congress
from delegates.models import County, CountyHoldBack


@transaction.atomic
def county_hold_back_set(
    *, congress: Congress, county: County, reason: str, user: AbstractBaseUser | None
) -> CountyHoldBack:
    """Hold back a county's invitations (or change the reason); releasing it is deleting the row."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for holding the county back.")})
    hold_back, created = CountyHoldBack.objects.select_for_update().get_or_create(
        congress=congress, county=county, defaults={"reason": reason, "created_by": user}
    )
    if not created and hold_back.reason != reason:
        hold_back.reason = reason
        hold_back.save(update_fields=["reason"])
    return hold_back
