import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_POST, require_safe

from core.accounts import PasswordChangeForm, PasswordResetForm, RateLimit, SetPasswordForm
from core.exports import SPREADSHEET_KEEP_HOURS, XLSX_CONTENT_TYPE
from core.lockout import client_address
from core.middleware import posted_from_this_service, sign_in_back_url
from core.models import SpreadsheetExport
from core.tasks import send_password_reset_email
from core.typed_back import shows_typed_back, typed_for

logger = logging.getLogger(__name__)


@require_GET
def healthz(request):
    """Liveness for the load balancer and docker-compose: the app answers and the database responds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """/favicon.ico, which a browser asks for wherever a page does not name its icon (an Atom feed opened in a tab):
    the GOV.UK icon the layout names (templates/base.html)."""
    return HttpResponsePermanentRedirect(static("govuk/assets/images/favicon.ico"))


class PasswordChangeView(auth_views.PasswordChangeView):
    """/account/password/: a signed-in person changes their own password; other sessions of theirs end."""

    form_class = PasswordChangeForm
    template_name = "account/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        form.save()  # audited (core.accounts.user_password_set)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "Your password has been changed.")
        return super(auth_views.PasswordChangeView, self).form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_sent.html"
    extra_context = {"reset_timeout_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


def password_reset_limits() -> tuple[RateLimit, RateLimit]:
    per_address, per_email = settings.POLICYHUB_PASSWORD_RESET_LIMITS
    return RateLimit("reset-address", *per_address), RateLimit("reset-email", *per_email)


# The address typed is shown back when the post is refused before the view (core.views.csrf_failure): as_view()
# copies the attribute from dispatch.
@method_decorator(shows_typed_back(PasswordResetForm), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail. The answer is the same whether or not an account has that address; the
    limits count requests per client address and per address typed, whether or not it belongs to anyone."""

    form_class = PasswordResetForm
    template_name = "account/password_reset.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        by_address, by_email = password_reset_limits()
        if not by_address.hit(client_address(self.request) or "unknown"):
            return self.too_many("from this network address")
        email = form.cleaned_data["email"]
        if not by_email.hit(email.strip().lower()):
            return self.too_many("for this email address")
        # Queued, not sent here: an SMTP conversation only when an account exists would show in the time taken.
        for user in form.get_users(email):
            try:
                send_password_reset_email.delay(user_id=user.pk, email=user.email, domain=self.request.get_host(),
                                                use_https=self.request.is_secure())
            except Exception:  # the broker is down: the same answer (an error here would say the account exists)
                logger.exception("Password reset e-mail for user %s not queued", user.pk)
        return HttpResponseRedirect(self.get_success_url())

    def too_many(self, where: str):
        return render(self.request, "account/password_reset_limited.html", {"where": where}, status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "account/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        form.save()  # audited (core.accounts.user_password_set)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return super(auth_views.PasswordResetConfirmView, self).form_valid(form)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"message": str(exception or "")}, status=403)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form posted without its CSRF cookie or token (cookies cleared, a page kept open
    across a sign-out). Nothing was saved; the link to sign in leads back to the page the form was on, and what was
    typed into the form is shown back to copy (QA walk of 2026-12-06: a statement typed for an hour was lost): the
    texts of the form's own fields only (core.typed_back), never a hidden field or a password. Only to a post the
    browser says came from this service's own page: another site's page posting here (which the CSRF check refuses)
    must not get its words shown on this service's page."""
    typed = typed_for(request) if posted_from_this_service(request) else []
    return render(request, "errors/csrf.html", {"sign_in_url": sign_in_back_url(request), "typed": typed},
                  status=403)


@require_POST
def session_keep_alive(request):
    """A signed-in page's "Stay signed in", and its typing in a form (frontend/js/application.js, at most once every
    POLICYHUB_SESSION_KEEP_ALIVE_EVERY): a request like any other, so session_lifetime starts the idle clock again
    (its signed last-seen cookie on this response); the absolute lifetime stands. A session already ended (or
    none) gets 401, not the sign-in redirect: the page's script then goes to sign in. CSRF-checked, as every post."""
    if not request.user.is_authenticated:
        return HttpResponse("Your session has ended: sign in again.", status=401,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(status=204)


def page_not_found(request, exception=None):
    # A policy's own developer opening it once it moved on to a stage they do not see: where it is
    # (lifecycle.typed_back.PolicyMovedOn).
    return render(request, "errors/404.html", {"moved_on": getattr(exception, "moved_on", None)}, status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


# --- spreadsheets prepared in the background (core.exports) -----------------------------------------------------


def _own_export(request, token) -> SpreadsheetExport:
    """The export, for the person who asked for it; anyone else is told it does not exist."""
    export = SpreadsheetExport.objects.filter(token=token, requested_by_id=request.user.pk).first()
    if export is None:
        raise Http404("No such spreadsheet.")
    return export


@login_required
@require_safe
def spreadsheet_export(request, token):
    """Where a long export waits: it says whether the file is ready, and htmx asks again every few seconds until it
    is (the fragment alone, ``HX-Request``)."""
    export = _own_export(request, token)
    context = {"export": export, "keep_hours": SPREADSHEET_KEEP_HOURS}
    if request.headers.get("HX-Request") == "true":
        return render(request, "core/includes/spreadsheet_export_status.html", context)
    return render(request, "core/spreadsheet_export.html", context)


@login_required
@require_safe
def spreadsheet_download(request, token):
    export = _own_export(request, token)
    if export.status == SpreadsheetExport.Status.WITHDRAWN:
        # Withdrawn when the person's access changed (core.exports.spreadsheet_exports_withdraw): its page says so.
        return render(request, "core/spreadsheet_export.html",
                      {"export": export, "keep_hours": SPREADSHEET_KEEP_HOURS}, status=410)
    if export.status != SpreadsheetExport.Status.READY or not default_storage.exists(export.storage_name):
        raise Http404("That spreadsheet is not ready, or was deleted after a day.")
    return FileResponse(default_storage.open(export.storage_name, "rb"), as_attachment=True,
                        filename=export.filename, content_type=XLSX_CONTENT_TYPE)
