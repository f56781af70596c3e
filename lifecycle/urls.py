from django.urls import path

from lifecycle import advice_views, drafting_views, people_views, register_views, versions_views, views

app_name = "lifecycle"

urlpatterns = [
    path("", register_views.policy_register, name="register"),
    path("new/", drafting_views.policy_create, name="create"),
    path("<str:reference>/", views.policy_detail, name="detail"),
    path("<str:reference>/details/", drafting_views.policy_details_edit, name="details"),
    path("<str:reference>/statement/", views.policy_statement, name="statement"),
    path("<str:reference>/statement/edit/", drafting_views.statement_edit, name="statement_edit"),
    path("<str:reference>/sops/new/", drafting_views.sop_create, name="sop_create"),
    path("<str:reference>/sops/<int:sop_id>/edit/", drafting_views.sop_edit, name="sop_edit"),
    path("<str:reference>/sops/<int:sop_id>/remove/", drafting_views.sop_remove, name="sop_remove"),
    path("<str:reference>/consultation/", drafting_views.consultation_log, name="consultation"),
    path("<str:reference>/consultation/<int:record_id>/response/", drafting_views.consultation_response,
         name="consultation_response"),
    path("<str:reference>/versions/", versions_views.policy_versions_page, name="versions"),
    path("<str:reference>/versions/compare/", versions_views.policy_compare, name="compare"),
    path("<str:reference>/versions/<str:version>/revisions/", versions_views.version_revisions_page, name="revisions"),
    path("<str:reference>/timeline/", views.policy_timeline_page, name="timeline"),
    path("<str:reference>/advice/", advice_views.policy_advice, name="advice"),
    path("<str:reference>/people/", people_views.policy_people, name="people"),
    path("<str:reference>/actions/<slug:slug>/", views.policy_action, name="action"),
]
