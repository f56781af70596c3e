from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from lifecycle.selectors import (
    access_policy,
    policy_list,
    policy_timeline,
    policy_versions,
    sop_versions_for,
    user_may_see_sensitive,
)


@login_required
def policy_register(request):
    queryset = policy_list(user=request.user)
    query = (request.GET.get("q") or "").strip()[:200]
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(reference__icontains=query))
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "lifecycle/policy_register.html", {"page": page, "query": query})


@login_required
def policy_detail(request, reference: str):
    policy = access_policy(user=request.user, reference=reference)
    version = policy.current_version
    if version is not None and policy.protective_marking == "official_sensitive" and not user_may_see_sensitive(
        user=request.user, policy=policy
    ):
        raise Http404("No such policy.")
    return render(
        request,
        "lifecycle/policy_detail.html",
        {
            "policy": policy,
            "version": version,
            "sop_versions": sop_versions_for(user=request.user, version=version),
            "versions": policy_versions(policy=policy),
            "timeline": policy_timeline(policy=policy)[:200],
        },
    )
