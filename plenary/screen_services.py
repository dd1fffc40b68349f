"""Writes of the hall screen: a new screen key. The links of the hall screen and of the lower third open without
signing in, by the hall's key; a new key ends every link given out before (a projector's or a streaming program's
browser that still holds an old link gets 404 and marks its picture as stale)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from agenda.models import Congress
from plenary.models import Hall, new_screen_key


@transaction.atomic
def hall_screen_key_renew(*, congress: Congress, user: AbstractBaseUser) -> Hall:
    """Give the hall of ``congress`` a new screen key, under the hall's lock; the old links stop working at once."""
    Hall.objects.get_or_create(congress_id=congress.pk)
    hall = Hall.objects.select_for_update().get(congress_id=congress.pk)
    hall.screen_key = new_screen_key()
    hall.version += 1
    hall.save(update_fields=["screen_key", "version", "changed_at"])
    return hall
