"""The delegates' staff pages, under /admin/delegates/ (ks_landsting/urls.py includes them before the admin).

Every view here is a ``core.staff.staff_page``; tests/core/test_staff_pages.py checks it.
"""

from django.urls import path

from delegates import (
    allocation_views,
    checkin_views,
    documents_views,
    letter_views,
    link_views,
    staff_views,
    views,
    withdrawal_views,
)

app_name = "delegates_staff"

urlpatterns = [
    path("overview/", views.delegation_overview, name="delegation_overview"),
    path("registrations/", staff_views.registration_status_page, name="registration_status"),
    path("registrations/catering/", staff_views.catering_page, name="registration_catering"),
    path("registrations/rooming/", staff_views.rooming_page, name="registration_rooming"),
    path("registrations/accessibility/", staff_views.accessibility_page, name="registration_accessibility"),
    path("registrations/retention/", staff_views.retention_page, name="registration_retention"),
    path("checkin/", checkin_views.checkin_desk, name="checkin"),
    path("checkin/counts.json", checkin_views.checkin_counts, name="checkin_counts"),
    path("documents/", documents_views.documents, name="documents"),
    path("documents/<int:document_id>/status.json", documents_views.document_status, name="document_status"),
    path("documents/<int:document_id>/download/", documents_views.document_download, name="document_download"),
    path("delegatekey/<int:pk>/allocation/", allocation_views.seat_allocation, name="seat_allocation"),
    path("delegatekey/<int:pk>/allocation.csv", allocation_views.seat_allocation_csv, name="seat_allocation_csv"),
    path("participant/<int:pk>/withdraw/", withdrawal_views.participant_withdraw_page, name="participant_withdraw"),
    path("personallink/<int:pk>/revoke/", link_views.personal_link_revoke_page, name="personal_link_revoke"),
    path(
        "mailtext/letter-preview/<int:congress_id>/<str:language>/",
        letter_views.letter_preview,
        name="letter_preview",
    ),
]
