"""What the management commands that read a file (apportion, import_population) tell the user when they cannot."""

from pathlib import Path

from django.utils.translation import gettext


def unreadable(path: Path, error: OSError) -> str:
    """Why ``path`` could not be read."""
    if isinstance(error, FileNotFoundError):
        return gettext("%(file)s: no such file.") % {"file": path}
    return gettext("%(file)s: cannot be read (%(reason)s).") % {"file": path, "reason": error.strerror}
