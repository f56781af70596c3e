"""What a page spends in Python for each row it lists: the model instances it builds and the URLs it reverses
in one request. A page whose rows are values printed by one template tag (the register, Notices, the Scheme, the
library, acknowledgements) spends as much for three rows as for one."""

from django.db.models.signals import pre_init
from django.db.models.sql.compiler import SQLCompiler
from django.test.signals import template_rendered
from django.urls.resolvers import URLResolver


class PageCost:
    """``cost(client, url)``: (instances of ``counted`` built, URLs reversed, the page's text) for one GET."""

    def __init__(self, monkeypatch, counted: tuple[type, ...]):
        self.counted = counted
        self.instances: list[type] = []
        self.resolutions: list[str] = []
        resolve = URLResolver._reverse_with_prefix

        def counting(resolver, *args, **kwargs):
            self.resolutions.append(args[0])
            return resolve(resolver, *args, **kwargs)

        monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counting)

    def _made(self, sender, **kwargs):
        if sender in self.counted:
            self.instances.append(sender)

    def __call__(self, client, url: str) -> tuple[int, int, str]:
        self.instances.clear()
        self.resolutions.clear()
        pre_init.connect(self._made)
        try:
            page = client.get(url).content.decode()
        finally:
            pre_init.disconnect(self._made)
        return len(self.instances), len(self.resolutions), page


def rendered_again(client, url: str) -> tuple[str, str, list[str]]:
    """(the page, the same page asked again, the templates the second request rendered): what a page renders afresh
    that it could keep (core.templatetags.form_fields keeps a search form's fields)."""
    rendered: list[str] = []

    def count(sender, template, context, **kwargs):
        rendered.append(template.name)

    first = client.get(url).content.decode()
    template_rendered.connect(count)
    try:
        again = client.get(url).content.decode()
    finally:
        template_rendered.disconnect(count)
    return first, again, rendered


def search_form_of(page: str) -> str:
    """The page's search form (its first GET form), as sent."""
    start = page.index('<form method="get"')
    return page[start:page.index("</form>", start)]


def queries_compiled(monkeypatch) -> list:
    """Every query Django compiles from now on (``SQLCompiler.as_sql``), in order, to tell which statements a page
    still has Django compile on each request: a read compiled once per process (core.compiled) is not among them
    after its first use."""
    compiled = []
    as_sql = SQLCompiler.as_sql

    def compiling(compiler, *args, **kwargs):
        compiled.append(compiler.query)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", compiling)
    return compiled
