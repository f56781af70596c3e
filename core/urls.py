from django.contrib.auth import views as auth_views
from django.urls import path

from core import views
from core.accounts import SignInForm

urlpatterns = [
    path("spreadsheets/<uuid:token>/", views.spreadsheet_export, name="spreadsheet_export"),
    path("spreadsheets/<uuid:token>/download/", views.spreadsheet_download, name="spreadsheet_download"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                        authentication_form=SignInForm), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/keep-alive/", views.session_keep_alive, name="session_keep_alive"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("account/password/reset/sent/",
         views.PasswordResetSentView.as_view(),
         name="password_reset_done"),
    path("account/password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("account/password/reset/done/",
         auth_views.PasswordResetCompleteView.as_view(template_name="account/password_reset_complete.html"),
         name="password_reset_complete"),
]
