"""The agenda's staff pages, under /admin/agenda/ (ks_landsting/urls.py includes them before the admin).

Every view here is a ``core.staff.staff_page``; tests/core/test_staff_pages.py checks it.
"""

from django.urls import path

from agenda import staff_views

app_name = "agenda_staff"

urlpatterns = [
    path("documents/<int:document_id>/download/", staff_views.agenda_document_download, name="document_download"),
]
