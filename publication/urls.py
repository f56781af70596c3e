from django.urls import path

from core import converters  # noqa: F401 (registers the <reference:...> and <username:...> converters)
from publication import notices_views, schedule_views, views

app_name = "publication"

urlpatterns = [
    path("", views.scheme_index, name="scheme"),
    path("feed/", notices_views.scheme_feed, name="scheme_feed"),
    path("<reference:reference>/", views.scheme_detail, name="scheme_detail"),
    path("<reference:reference>/pdf/", views.scheme_pdf, name="scheme_pdf"),
]

# Staff pages under /policies/<reference>/publication/ (included by policyhub/urls.py as "publication_staff").
staff_urlpatterns = (
    [
        path("", views.policy_publications_page, name="list"),
        path("withheld/", schedule_views.withheld_parts_page, name="withheld"),
        path("<int:publication_id>/cancel/", schedule_views.publication_cancel_page, name="cancel"),
        path("<int:publication_id>/publish-now/", schedule_views.publication_bring_forward_page, name="bring_forward"),
        path("<int:publication_id>/store-files/", views.publication_store_files_again_page, name="store_files"),
        path("<int:publication_id>/files/<int:file_id>/", views.published_file_download, name="file"),
    ],
    "publication_staff",
)

# /notices/ (included by policyhub/urls.py as "notices"): staff only.
notices_urlpatterns = (
    [
        path("", notices_views.notices_page, name="index"),
        path("feed/", notices_views.staff_notices_feed, name="feed"),
    ],
    "notices",
)
