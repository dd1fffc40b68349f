from django.urls import path

from delegates.portal import views

app_name = "portal"

# "ny-lenke" comes first: it must never be taken for a token.
urlpatterns = [
    path("ny-lenke/", views.lost_link, name="lost_link"),
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/bekreftet/", views.done, name="done"),
    path("<str:token>/avmelding/", views.cancel, name="cancel"),
    path("<str:token>/avmeldt/", views.cancelled, name="cancelled"),
    path("<str:token>/mine-data/", views.my_data, name="my_data"),
    path("<str:token>/sprak/", views.language, name="language"),
    path("<str:token>/program/", views.programme, name="programme"),
    path("<str:token>/program.ics", views.programme_ics, name="programme_ics"),
    path("<str:token>/dokumenter/<int:document_id>/", views.agenda_document, name="agenda_document"),
]
