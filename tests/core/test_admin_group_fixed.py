"""A board's and an approval route's business group were editable in /admin/ once they existed: moving Territorial
Policing's high-risk approval route to another business group silently sent TP's high-risk policies already under
it to no board (or another), and moving a board relabelled whose board approved the decisions recorded with it.
As for a unit (tests/core/test_admin_privileges.py: LOW 10a), the business group is read-only once the row exists,
for a PCU administrator (staff, PCU, not a superuser) and for a superuser alike; a post naming another is refused
in the admin's save too, and the rest of the form is saved and audited as before. An approval route's risk tier is
the other half of what it routes, and is fixed in the same way."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from core.models import ApprovalRoute, AuditEvent, Board, Role, User
from lifecycle.services import approval_board
from tests.factories import BoardFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["pcu_administrator", "superuser"])
def administrator(request, people) -> User:
    if request.param == "superuser":
        return User.objects.create_user(username="boss", password="x-Long-password-1", is_staff=True,
                                        is_superuser=True)
    return user_with_role(Role.PCU, None, username="pcuadmin", is_staff=True)


@pytest.fixture
def high_risk_route(people):
    """Territorial Policing's high-risk policies go to the Commissioner's Policy Forum (force-wide board)."""
    forum = BoardFactory(name="Commissioner's Policy Forum", business_group=None)
    return ApprovalRoute.objects.create(risk_tier="high", business_group=people.group, board=forum)


def test_a_board_is_not_moved_to_another_business_group(client, people, administrator):
    board = people.board
    client.force_login(administrator)
    url = f"/admin/core/board/{board.pk}/change/"
    page = client.get(url).content.decode()
    assert "cannot be moved to another business group" in page
    assert 'name="business_group"' not in page  # shown, not offered
    response = client.post(url, {"name": "TP Chief Officer Group", "business_group": people.group2.pk,
                                 "remit": "Medium and low risk policies."})
    assert response.status_code == 302
    board = Board.objects.get(pk=board.pk)
    assert board.business_group_id == people.group.pk
    assert (board.name, board.remit) == ("TP Chief Officer Group", "Medium and low risk policies.")  # the rest saved
    event = AuditEvent.objects.filter(action="reference.board.changed").latest("sequence")
    assert event.actor == administrator and "business_group" not in event.changes
    assert event.changes["name"] == "TP Chief Officer Group"


def test_an_approval_route_is_not_moved_under_the_policies_it_routes(client, people, administrator, policy_in,
                                                                     high_risk_route):
    policy = policy_in("development", risk_tier="high")
    forum = high_risk_route.board
    assert approval_board(policy) == forum
    client.force_login(administrator)
    url = f"/admin/core/approvalroute/{high_risk_route.pk}/change/"
    page = client.get(url).content.decode()
    assert "cannot be moved to another business group" in page
    assert 'name="business_group"' not in page and 'name="risk_tier"' not in page
    other_board = BoardFactory(name="Territorial Policing Management Team", business_group=people.group)
    response = client.post(url, {"risk_tier": "low", "business_group": people.group2.pk, "board": other_board.pk})
    assert response.status_code == 302
    route = ApprovalRoute.objects.get(pk=high_risk_route.pk)
    assert (route.risk_tier, route.business_group_id) == ("high", people.group.pk)
    assert route.board_id == other_board.pk  # the board a route sends its policies to is what is edited here
    assert approval_board(policy) == other_board
    event = AuditEvent.objects.filter(action="reference.approvalroute.changed").latest("sequence")
    assert event.actor == administrator and set(event.changes) == {"board"}


def test_new_boards_and_routes_still_choose_their_business_group(client, people, administrator):
    client.force_login(administrator)
    response = client.post("/admin/core/board/add/", {"name": "SCO Policy Board", "business_group": people.group2.pk,
                                                       "remit": ""})
    assert response.status_code == 302
    board = Board.objects.get(name="SCO Policy Board")
    assert board.business_group_id == people.group2.pk
    response = client.post("/admin/core/approvalroute/add/", {"risk_tier": "low", "business_group": people.group2.pk,
                                                              "board": board.pk})
    assert response.status_code == 302
    assert ApprovalRoute.objects.filter(risk_tier="low", business_group=people.group2, board=board).exists()


@pytest.mark.parametrize("model", [Board, ApprovalRoute])
def test_a_group_changed_on_the_way_to_the_save_is_refused_there(people, administrator, high_risk_route, model):
    """However the business group came to differ (the form no longer offers it), the save puts it back under the
    row's lock, says why, and saves the rest."""
    model_admin = admin.site._registry[model]
    obj = people.board if model is Board else high_risk_route
    request = RequestFactory().post("/admin/")
    request.user = administrator
    request._messages = CookieStorage(request)
    form = model_admin.get_form(request, obj)(
        {"name": "Renamed", "remit": ""} if model is Board else {"board": obj.board_id}, instance=obj)
    assert form.is_valid(), form.errors
    changed = form.save(commit=False)
    changed.business_group = people.group2
    model_admin.save_model(request, changed, form, change=True)
    assert model.objects.get(pk=obj.pk).business_group_id == people.group.pk
    assert any("cannot be moved to another business group" in str(message) for message in get_messages(request))
