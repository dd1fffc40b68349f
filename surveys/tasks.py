from celery import shared_task

from surveys.mail import survey_mails_send


@shared_task
def send_survey_mails() -> dict:
    # Every hour (beat): the invitations of the surveys that have opened, and their one reminder when its day has come.
    sent = survey_mails_send()
    return {"invitations": sent.invitations, "reminders": sent.reminders}
