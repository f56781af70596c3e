"""The oversight pages' tables at the widths people use (the twentieth session's walk in Chromium): at 1280 px the
dashboard's figures lost "Territorial Policing" and "Force total" to a sideways scroll nobody could see, and at
320 px the indicators table's caption was cut off with its table.

The fit itself is a browser's to measure; here, the markup that gives it: the figures in the compact table (16px
type at every width, narrower gutters, headers that wrap), every table in the container that
frontend/js/application.js (markScrollingTables) makes a named, focusable region "(scrolls sideways)" only while it
scrolls, its caption kept to the width of the screen, and the edges that show there is more to see."""

from __future__ import annotations

import re

import pytest

from tests.oversight.scenario import TODAY, on
from tests.oversight.tables import html_table

pytestmark = pytest.mark.django_db




@pytest.fixture
def people(world):
    return world.people


def _container_of(body: str, table_id: str) -> tuple[str, str]:
    """The opening tag of the element around the table ``id=table_id``, and the table's own opening tag."""
    match = re.search(rf'(<div[^>]*>)\s*(<table[^>]*id="{table_id}"[^>]*>)', body)
    assert match, table_id
    return match.group(1), match.group(2)


def _classes(tag: str) -> set[str]:
    return set(re.search(r'class="([^"]*)"', tag).group(1).split())


def _caption(body: str, table_id: str) -> str:
    table = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', body, re.S).group(1)
    match = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
    assert match, f"{table_id} has no caption to name its scrolling region"
    return match.group(0)


def _assert_scrolls_visibly(container: str) -> None:
    classes = _classes(container)
    # markScrollingTables looks for .app-table-container; app-table-scroll shows the edge with more beyond it.
    assert {"app-table-container", "app-table-scroll"} <= classes, classes
    # A region and a tab stop only while it scrolls (the script's to decide), not at widths where it fits.
    assert "tabindex" not in container and "role=" not in container, container


def test_the_dashboard_figures_fit_a_desktop_and_say_when_they_scroll(client, world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
    container, table = _container_of(body, "figures")
    _assert_scrolls_visibly(container)
    assert {"govuk-table", "govuk-table--small-text-until-tablet", "app-table--compact"} <= _classes(table)
    assert "Figures" in _caption(body, "figures")
    # Every column is still there, named in full.
    assert html_table(body, "figures")[0][-2:] == ["Territorial Policing", "Force total"]


def test_the_indicators_tables_keep_their_captions_on_the_screen(client, world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/indicators/", {"from": "2026-01-01", "to": "2026-02-28"}).content.decode()
    for table_id in ("indicators", "trend-table"):
        container, table = _container_of(body, table_id)
        _assert_scrolls_visibly(container)
        assert {"govuk-table--small-text-until-tablet", "app-table--compact"} <= _classes(table)
        assert "app-table-scroll__caption" in _caption(body, table_id)
