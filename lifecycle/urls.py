from django.urls import path

from core import converters  # noqa: F401 (registers the <reference:...> and <username:...> converters)
from lifecycle import advice_views, drafting_views, people_views, register_views, versions_views, views

app_name = "lifecycle"

urlpatterns = [
    path("", register_views.policy_register, name="register"),
    path("new/", drafting_views.policy_create, name="create"),
    path("<reference:reference>/", views.policy_detail, name="detail"),
    path("<reference:reference>/details/", drafting_views.policy_details_edit, name="details"),
    path("<reference:reference>/statement/", views.policy_statement, name="statement"),
    path("<reference:reference>/statement/edit/", drafting_views.statement_edit, name="statement_edit"),
    path("<reference:reference>/sops/new/", drafting_views.sop_create, name="sop_create"),
    path("<reference:reference>/sops/<int:sop_id>/edit/", drafting_views.sop_edit, name="sop_edit"),
    path("<reference:reference>/sops/<int:sop_id>/remove/", drafting_views.sop_remove, name="sop_remove"),
    path("<reference:reference>/consultation/", drafting_views.consultation_log, name="consultation"),
    path("<reference:reference>/consultation/<int:record_id>/response/", drafting_views.consultation_response,
         name="consultation_response"),
    path("<reference:reference>/versions/", versions_views.policy_versions_page, name="versions"),
    path("<reference:reference>/versions/compare/", versions_views.policy_compare, name="compare"),
    path("<reference:reference>/versions/<str:version>/revisions/", versions_views.version_revisions_page,
         name="revisions"),
    path("<reference:reference>/timeline/", views.policy_timeline_page, name="timeline"),
    path("<reference:reference>/advice/", advice_views.policy_advice, name="advice"),
    path("<reference:reference>/people/", people_views.policy_people, name="people"),
    path("<reference:reference>/actions/<slug:slug>/", views.policy_action, name="action"),
]
