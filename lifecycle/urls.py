from django.urls import path

from lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.policy_register, name="register"),
    path("<str:reference>/", views.policy_detail, name="detail"),
]
