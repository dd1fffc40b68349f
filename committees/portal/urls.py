"""The committee work on the delegates' personal page: included under ``p/<str:token>/``."""

from django.urls import path

from committees.portal import views

app_name = "committees_portal"

urlpatterns = [
    path("dokument/", views.document, name="document"),
    path("endringsforslag/", views.amendments, name="amendments"),
    path("endringsforslag/nytt/", views.amendment_new, name="amendment_new"),
    path("endringsforslag/<int:number>/", views.amendment, name="amendment"),
    path("endringsforslag/<int:number>/trekk/", views.amendment_withdraw, name="amendment_withdraw"),
    path("uttalelser/", views.statements, name="statements"),
    path("uttalelser/ny/", views.statement_new, name="statement_new"),
    path("uttalelser/<int:number>/", views.statement, name="statement"),
    path("uttalelser/<int:number>/trekk/", views.statement_withdraw, name="statement_withdraw"),
]
