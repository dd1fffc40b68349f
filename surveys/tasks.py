from celery import shared_task

from surveys.mail import survey_mails_send
from surveys.services import survey_drafts_purge


@shared_task
def send_survey_mails() -> dict:
    # Every hour (beat): the invitations of the surveys that have opened, and their one reminder when its day has come.
    sent = survey_mails_send()
    return {"invitations": sent.invitations, "reminders": sent.reminders}


@shared_task
def purge_survey_drafts() -> int:
    # Every night (beat): the drafts of the surveys that have closed.
    return survey_drafts_purge()
