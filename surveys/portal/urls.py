"""The survey behind the personal link, under ``/p/<token>/``."""

from django.urls import path

from surveys.portal import views

app_name = "surveys_portal"

urlpatterns = [
    path("evaluering/", views.survey_form, name="form"),
    path("evaluering/kladd/", views.survey_draft_autosave, name="draft"),
    path("evaluering/takk/", views.survey_thanks, name="thanks"),
]
