from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite

# The Django admin (dead-letter messages, data fixes) is a back-office door too: it asks for the
# second factor like every back-office page.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("creneau.proofs.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("creneau.www.public.urls")),
    path("admin/", admin.site.urls),
    path("agents/", include("creneau.www.backoffice.urls")),
    prefix_default_language=False,
)
