from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from agenda import views as agenda_views
from core import views as core_views
from core.favicon import favicon

admin.site.site_header = _("KS Landstinget – administration")
admin.site.site_title = _("KS Landstinget")
admin.site.index_title = _("Administration")
# Staff sign in through allauth so that two-factor authentication applies to the admin too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", agenda_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("allauth.urls")),
    # Every app's staff pages (core.staff.staff_page views), before the admin's own URLs under the same prefix.
    path("admin/agenda/", include("agenda.staff_urls")),
    path("admin/committees/", include("committees.staff_urls")),
    path("admin/county_meetings/", include("county_meetings.staff_urls")),
    path("admin/delegates/", include("delegates.staff_urls")),
    path("admin/elections/", include("elections.staff_urls")),
    path("admin/plenary/", include("plenary.staff_urls")),
    path("admin/surveys/", include("surveys.staff_urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("helse/", core_views.health, name="health"),
    path("helse/detaljer/", core_views.health_detail, name="health_detail"),
    path("p/<str:token>/", include("committees.portal.urls")),
    path("p/<str:token>/", include("elections.portal.urls")),
    path("p/<str:token>/", include("plenary.portal.urls")),
    path("p/<str:token>/", include("surveys.portal.urls")),
    path("sal/", include("plenary.hall_urls")),
    path("fylkesmote/", include("county_meetings.portal.urls")),
    path("p/", include("delegates.portal.urls")),
    path("program/", include("agenda.urls")),
]
# The 403 page in the site's look and the user's language, with a way back (the admin's or the home page).
handler403 = "core.error_views.permission_denied"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
