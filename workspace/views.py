import rules
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workspace.selectors import my_work
from workspace.summary import home_summary


@login_required
@require_safe
def home(request):
    """My work: the first page everyone sees after signing in."""
    return render(request, "core/home.html", {
        "summary": home_summary(user=request.user), "queues": my_work(user=request.user),
        "may_start_policy": rules.has_perm("lifecycle.start_policy", request.user),
        # The rule itself (oversight.rules), as the dashboard decides by it: through the authentication backends, a
        # person it refuses cost two queries of Django's model permissions, none of which grants it (the active
        # superuser's all-permissions aside).
        "has_dashboard": request.user.is_superuser or rules.has_perm("oversight.view_dashboard", request.user),
    })
