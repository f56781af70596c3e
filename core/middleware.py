"""htmx requests and the sign-in redirect.

An htmx request (the register's in-page update) from a browser whose session has expired is redirected to
the sign-in page like any other; the XMLHttpRequest would follow that redirect silently and htmx would swap
the sign-in form into the results area. Instead answer 401 with ``HX-Redirect``, keeping the ``next``
address: htmx follows HX-Redirect with a whole-page load before it looks at the status, and the history
restore after the back button (which ignores HX-Redirect) sees an error, on which frontend/js/application.js
loads the page for real, reaching the same sign-in redirect."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url


def htmx_sign_in_redirect(get_response):
    def middleware(request):
        response = get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response.get("Location", "").split("?")[0] == resolve_url(settings.LOGIN_URL)
        ):
            redirect = HttpResponse("Your session has ended: sign in again.", status=401,
                                    content_type="text/plain; charset=utf-8")
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response

    return middleware
