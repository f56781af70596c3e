"""PolicyHub performance benchmarks: ``python -m benchmarks`` (or ``make bench``).

The harness keeps its own PostgreSQL database, named after DATABASE_URL's with ``_bench`` appended
(``policyhub`` -> ``policyhub_bench``), and never touches any other. The first run migrates it and fills
it with a force-sized dataset (100,000 policies, 20,000 users, 600,000 role assignments and object
grants) by COPY; later runs reuse that data until ``--rebuild`` or a change of ``DATASET_VERSION``.

Each run measures, with the baseline in the same run:
  pages. every page a person lands on (My work, the register and its htmx fragment, a policy's overview,
     timeline and versions) for the three probe users, each against its own bare SQL: the statements one
     request of it sends, replayed through a raw cursor (benchmarks/pages.py, where other pages are added);
  a. the permission-filtered register (first page of 25 + count) as the view builds it (``register_page``);
  b. the register page as the server runs it (Django's WSGI handler, benchmarks.pages);
  c. a policy with 50 versions and 1,000 audit events: overview, timeline and versions pages;
  e. the daily chase's scan (``chase_plan``) against one bare SQL query of the same due items, and its
     query count against a 10,000-policy slice of the register; ``chase_run`` once, rolled back.
Results go to stdout as one table across every benchmark (case, user, p50, p95, baseline, ratio, queries,
target, PASS/FAIL) and to test-artifacts/bench.json. Performance targets live here, not in
the unit tests.
"""
