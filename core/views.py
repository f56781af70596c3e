from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe


@require_GET
def healthz(request):
    """Liveness for the load balancer and docker-compose: the app answers and the database responds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_safe
def home(request):
    from lifecycle.selectors import home_summary, my_work

    return render(request, "core/home.html", {
        "summary": home_summary(user=request.user), "queues": my_work(user=request.user),
    })


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"message": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
