"""The committees' staff pages, under /admin/committees/ (ks_landsting/urls.py includes them before the admin).

Every view here is a ``core.staff.staff_page``; tests/core/test_staff_pages.py checks it.
"""

from django.urls import path

from committees import staff_views

app_name = "committees_staff"

urlpatterns = [
    path("politicaldocument/load/", staff_views.document_load_new, name="document_load_new"),
    path("politicaldocument/<int:pk>/load/", staff_views.document_load, name="document_load"),
    path("politicaldocument/<int:pk>/lines/", staff_views.document_lines, name="document_lines"),
    path("politicaldocument/<int:pk>/pdf/<slug:kind>/", staff_views.document_pdf, name="document_pdf"),
    path("politicaldocument/<int:pk>/forward/", staff_views.amendments_forward_page, name="amendments_forward"),
    path("committee/<int:pk>/work/", staff_views.committee_work, name="committee_work"),
    path(
        "committee/<int:pk>/recommendation.pdf",
        staff_views.committee_recommendation_pdf,
        name="committee_recommendation_pdf",
    ),
    path("committee/<int:pk>/publish/", staff_views.committee_publish, name="committee_publish"),
]
