"""Bokmål for what the admin shows of Django's, allauth's and django-import-export's own, where their packages have
no translation.

Django's admin has no bokmål for its newer strings ("Start typing to filter…", "Show counts", …): they are listed
here with ``gettext_noop`` so that ``makemessages`` keeps them in our catalogue (locale/nb), which wins over the
package's. allauth's MFA app and its ``Authenticator`` have untranslatable English names ("MFA", "Authenticators",
"last used at"): :func:`name_third_party_models` gives them translated ones when the apps are ready. Only the
runtime names change (``_meta.verbose_name``, ``field.verbose_name``), not the options the migrations read, so no
migration of the package follows.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: django-import-export's strings on the participant import and export pages: the package has no bokmål.
IMPORT_EXPORT_STRINGS = (
    gettext_noop("Import"),
    gettext_noop("Export"),
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen the correct format for the file."
    ),
    gettext_noop("No valid data to import. Ensure your file has the correct headers or data for import."),
    gettext_noop("Export selected %(verbose_name_plural)s"),
    gettext_noop("export failed due to IllegalCharacterError"),
    gettext_noop("Resource"),
    gettext_noop("Format"),
    gettext_noop("File to import"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("Select all"),
    gettext_noop("Submit"),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, click 'Confirm import'"
    ),
    gettext_noop("Confirm import"),
    gettext_noop("Errors"),
    gettext_noop("Line number"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Please correct these errors in your data where possible, then reupload it using the form above."),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Preview"),
    gettext_noop("New"),
    gettext_noop("Skipped"),
    gettext_noop("Delete"),
    gettext_noop("Update"),
    gettext_noop("Value could not be parsed."),
)

#: django.contrib.admin strings without a bokmål translation in Django 5.2.
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Start typing to filter…"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Skip to main content"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Sidebar"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("entry"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Set password"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("Thanks for spending some quality time with the web site today."),
    gettext_noop("In case you’ve forgotten, you are:"),
)


def name_third_party_models() -> None:
    """Translated names for allauth's MFA app and its authenticators in the admin."""
    mfa = apps.get_app_config("mfa")
    mfa.verbose_name = _("Two-factor authentication")
    authenticator = apps.get_model("mfa", "Authenticator")
    authenticator._meta.verbose_name = _("authenticator")
    authenticator._meta.verbose_name_plural = _("authenticators")
    labels = {
        "user": _("user"),
        "type": _("type"),
        "data": _("data"),
        "created_at": _("created at"),
        "last_used_at": _("last used at"),
    }
    for name, label in labels.items():
        authenticator._meta.get_field(name).verbose_name = label
