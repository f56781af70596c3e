import time

from django.conf import settings

from core.middleware import session_seconds_left


def service(request):
    return {
        "service_name": settings.POLICYHUB_SERVICE_NAME,
        "force_name": settings.POLICYHUB_FORCE_NAME,
        "force_logo_url": settings.POLICYHUB_FORCE_LOGO_URL,
        "pcu_email": settings.POLICYHUB_PCU_EMAIL,
        "pcu_phone": settings.POLICYHUB_PCU_PHONE,
        "foi_email": settings.POLICYHUB_FOI_EMAIL,
        "foi_address": settings.POLICYHUB_FOI_ADDRESS,
        "foi_url": settings.POLICYHUB_FOI_URL,
    }


def session_timeout(request):
    """The timings of a signed-in page's session timeout warning (templates/base.html; WCAG 2.2.1), from settings
    and the session's own clocks, so that the page's script repeats no constant of its own. A short idle timeout
    (a deployment's choice, the browser tests') shortens the warning and the typing's keep-alive to fit in it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}  # no one signed in, or a page drawn without the session middleware (an error handler's)
    idle, absolute = session_seconds_left(request, time.time())
    return {"session_timeout": {
        "idle_seconds": int(idle),
        "absolute_seconds_left": int(absolute),
        "warning_seconds": int(min(settings.POLICYHUB_SESSION_TIMEOUT_WARNING.total_seconds(), idle / 2)),
        "keep_alive_seconds": int(max(1, min(settings.POLICYHUB_SESSION_KEEP_ALIVE_EVERY.total_seconds(), idle / 3))),
    }}
