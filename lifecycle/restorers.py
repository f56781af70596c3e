"""Who restores an earlier revision of each draft document (issue 12: "An old revision can be restored, which
makes a new revision").

The Policy Statement and SOPs are restored by lifecycle itself (``lifecycle.services.drafting``, ``.sops``). The EIA and
Workbook belong to assessments, which builds on lifecycle: it registers their restorers here when it is loaded
(``AssessmentsConfig.ready``), so that lifecycle's revisions page and ``draft_revision_restore`` offer and run them
without importing it (rule 20). A restorer is called as ``restorer(policy=, actor=, revision=)`` inside the
restore's transaction, after the policy row is locked, and returns the new revision or None when the draft already
holds that content.
"""

from __future__ import annotations

from collections.abc import Callable

RESTORERS: dict[str, Callable] = {}


def restores(document: str) -> Callable[[Callable], Callable]:
    def register(function: Callable) -> Callable:
        if RESTORERS.get(document, function) is not function:
            raise ValueError(f"Two restorers are registered for {document!r}.")
        RESTORERS[document] = function
        return function

    return register
