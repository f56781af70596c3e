from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


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


# The service navigation of every signed-in page (templates/base.html), in order: the URL's name, its label, and
# whether the pages under it are part of it (a policy's pages are the register's).
SERVICE_NAVIGATION = (
    ("home", "My work", False),
    ("lifecycle:register", "Policy register", True),
    ("notices:index", "Notices", False),
    ("library:index", "Library", True),
    ("acknowledgements:list", "Acknowledgements", False),
    ("notifications:list", "Notifications", False),
    ("guidance:help", "Help", True),
    ("password_change", "Change password", False),
)


@lru_cache(maxsize=8)
def _navigation(prefix: str, urlconf) -> tuple[tuple[str, str, str, bool], ...]:
    """(name, URL, label, with the pages under it) of each item, resolved once per script prefix and URL conf."""
    return tuple((name, reverse(name, urlconf=urlconf), label, under) for name, label, under in SERVICE_NAVIGATION)


def navigation(request):
    """``service_navigation``: the items of the service navigation with the one this page is under marked ``active``
    (and ``current`` when it is that very page, for aria-current). The same for everyone but the page, so the URLs
    are reversed once per process (issue 16: caching what is the same for every user); signed-in pages only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    return {"service_navigation": [
        {"name": name, "url": url, "label": label, "current": path == url,
         "active": path == url or (under and path.startswith(url))}
        for name, url, label, under in _navigation(get_script_prefix(), get_urlconf())
    ]}
