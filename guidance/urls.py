from django.urls import path

from guidance import views

app_name = "guidance"

urlpatterns = [
    path("accessibility/", views.site_page, {"slug": "accessibility"}, name="accessibility"),
    path("privacy/", views.site_page, {"slug": "privacy"}, name="privacy"),
    path("cookies/", views.site_page, {"slug": "cookies"}, name="cookies"),
    path("freedom-of-information/", views.site_page, {"slug": "freedom-of-information"},
         name="freedom-of-information"),
    path("information-pages/<slug:slug>/edit/", views.site_page_edit, name="edit"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:role>/", views.help_role, name="help_role"),
]
