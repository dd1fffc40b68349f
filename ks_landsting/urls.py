from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views
from delegates import checkin_views as delegates_checkin_views
from delegates import documents_views as delegates_documents_views
from delegates import staff_views as delegates_staff_views
from delegates import views as delegates_views

admin.site.site_header = _("KS Landstinget – administration")
admin.site.site_title = _("KS Landstinget")
admin.site.index_title = _("Administration")
# Staff sign in through allauth so that two-factor authentication applies to the admin too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("allauth.urls")),
    path("admin/delegates/overview/", delegates_views.delegation_overview_view, name="delegates_delegation_overview"),
    path(
        "admin/delegates/registrations/",
        delegates_staff_views.registration_status_view,
        name="delegates_registration_status",
    ),
    path(
        "admin/delegates/registrations/catering/",
        delegates_staff_views.catering_list_view,
        name="delegates_registration_catering",
    ),
    path(
        "admin/delegates/registrations/rooming/",
        delegates_staff_views.rooming_list_view,
        name="delegates_registration_rooming",
    ),
    path(
        "admin/delegates/registrations/accessibility/",
        delegates_staff_views.accessibility_list_view,
        name="delegates_registration_accessibility",
    ),
    path(
        "admin/delegates/registrations/retention/",
        delegates_staff_views.retention_view,
        name="delegates_registration_retention",
    ),
    path("admin/delegates/checkin/", delegates_checkin_views.checkin_desk_view, name="delegates_checkin"),
    path(
        "admin/delegates/checkin/counts.json",
        delegates_checkin_views.checkin_counts_view,
        name="delegates_checkin_counts",
    ),
    path("admin/delegates/documents/", delegates_documents_views.documents_view, name="delegates_documents"),
    path(
        "admin/delegates/documents/<int:document_id>/status.json",
        delegates_documents_views.document_status_view,
        name="delegates_document_status",
    ),
    path(
        "admin/delegates/documents/<int:document_id>/download/",
        delegates_documents_views.document_download_view,
        name="delegates_document_download",
    ),
    path("admin/elections/desk/", include("elections.staff_urls")),
    path("admin/", admin.site.urls),
    path("helse/", core_views.health, name="health"),
    path("p/<str:token>/", include("committees.portal.urls")),
    path("p/<str:token>/", include("elections.portal.urls")),
    path("p/", include("delegates.portal.urls")),
    path("program/", include("agenda.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
