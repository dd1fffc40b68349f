from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views
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
    path("admin/", admin.site.urls),
    path("helse/", core_views.health, name="health"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
