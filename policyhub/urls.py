from django.contrib import admin
from django.urls import include, path

from core import converters  # noqa: F401 (registers the <reference:...> and <username:...> converters)
from core import views as core_views
from publication import views as publication_views
from publication.urls import notices_urlpatterns
from publication.urls import staff_urlpatterns as publication_staff_urls
from workspace import views as workspace_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("", workspace_views.home, name="home"),
    path("", include("core.urls")),
    path("", include("guidance.urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboard/", include("oversight.urls")),
    path("library/", include("library.urls")),
    path("acknowledgements/", include("acknowledgements.urls")),
    path("people/", include("lifecycle.people_urls")),
    path("publication-scheme/", include("publication.urls")),
    path("notices/", include(notices_urlpatterns)),
    # The PDF of the version a person may see: publication renders it (lifecycle does not import publication).
    path("policies/<reference:reference>/pdf/", publication_views.policy_pdf, name="policy_pdf"),
    path("policies/<reference:reference>/pdf/in-force/", publication_views.policy_in_force_pdf,
         name="policy_in_force_pdf"),
    path("policies/", include("assessments.urls")),
    path("policies/", include("lifecycle.urls")),
    path("policies/<reference:reference>/publication/", include(publication_staff_urls)),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
