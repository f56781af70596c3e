"""``{% abbreviate %}`` (core.templatetags.glossary): each abbreviation in a text expanded on its first use on the
page and marked up after, plurals as plurals, a sentence's first word capitalised, markup left as it is."""

from django.template import Context, Template
from django.test import RequestFactory
from django.utils.safestring import mark_safe

EIA = '<abbr title="Equality Impact Assessment">EIA</abbr>'
SOPS = '<abbr title="Standard Operating Procedures">SOPs</abbr>'


def render(source: str, request=True, **context) -> str:
    values = {"request": RequestFactory().get("/")} if request else {}
    return Template("{% load glossary %}" + source).render(Context({**values, **context}))


def test_first_use_expanded_then_marked_up_across_tags_on_one_page():
    html = render("{% abbreviate a %} / {% abbreviate b %}", a="Sign off the EIA", b="EIA & SOPs")
    assert html == (f"Sign off the Equality Impact Assessment ({EIA}) / {EIA} &amp; "
                    f"Standard Operating Procedures ({SOPS})")


def test_a_sentence_starting_with_an_abbreviation_starts_with_a_capital():
    assert render("{% abbreviate a %}", a="QA passed. QA again.").startswith(
        'Quality assurance (<abbr title="quality assurance">QA</abbr>) passed. ')
    assert render("{% abbreviate a %}", a="Passed QA.") == (
        'Passed quality assurance (<abbr title="quality assurance">QA</abbr>).')


def test_markup_already_safe_is_left_as_it_is():
    text = mark_safe(f'<a href="/EIA/" title="EIA">the {EIA}</a>, then the EIA')
    assert render("{% abbreviate a %}", a=text) == f'<a href="/EIA/" title="EIA">the {EIA}</a>, then the ' \
                                                    f"Equality Impact Assessment ({EIA})"
    assert render("{% abbreviate a %}", a="<script>EIA</script>") == \
        f"&lt;script&gt;Equality Impact Assessment ({EIA})&lt;/script&gt;"


def test_without_a_request_the_rendering_counts_first_uses():
    """The daily e-mail is rendered without a request."""
    assert render("{% abbreviate a %} {% abbreviate a %}", request=False, a="EIA") == \
        f"Equality Impact Assessment ({EIA}) {EIA}"


def test_an_unknown_plural_and_a_word_containing_capitals_are_left_alone():
    assert render("{% abbreviate a %}", a="QAs and EIAT and POL-0001") == "QAs and EIAT and POL-0001"


def test_a_text_the_page_repeats_reads_the_same_after_its_first_use():
    """The timeline repeats its sentences, roles and labels; each is worked out once per page and remembered only
    once it reads the same from then on (its abbreviations all expanded already)."""
    html = render("{% abbreviate a %} / {% abbreviate a %} / {% abbreviate b %} / {% abbreviate a %}",
                  a="EIA signed off", b="SOPs and the EIA")
    assert html == (f"Equality Impact Assessment ({EIA}) signed off / {EIA} signed off / "
                    f"Standard Operating Procedures ({SOPS}) and the {EIA} / {EIA} signed off")
    # The same words, one already safe markup and one to escape, are not the same text.
    assert render("{% abbreviate a %} {% abbreviate b %} {% abbreviate a %}", a=mark_safe("<b>EIA</b>"),
                  b="<b>EIA</b>") == f"<b>Equality Impact Assessment ({EIA})</b> &lt;b&gt;{EIA}&lt;/b&gt; <b>{EIA}</b>"
    # Each page (request) starts afresh.
    assert render("{% abbreviate a %}", a="EIA signed off") == f"Equality Impact Assessment ({EIA}) signed off"


def test_an_abbreviation_already_after_its_words_is_not_expanded_again():
    # "Diversity and Citizen Focus Directorate (DCFD)" read "Diversity and Citizen Focus Directorate (Diversity and
    # Citizen Focus Directorate (DCFD))" on the advice page's choices (found by the twelfth session's walk).
    dcfd = '<abbr title="Diversity and Citizen Focus Directorate">DCFD</abbr>'
    html = render("{% abbreviate a %} / {% abbreviate b %}", a="Diversity and Citizen Focus Directorate (DCFD)",
                  b="Ask DCFD")
    assert html == f"Diversity and Citizen Focus Directorate ({dcfd}) / Ask {dcfd}"
