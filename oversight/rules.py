"""Who has a dashboard (oversight.scope): asked by the views and by My work's link, through django-rules, so that
the apps below oversight never import it."""

import rules

from oversight.scope import may_see_oversight

rules.add_perm("oversight.view_dashboard", rules.predicate(may_see_oversight))
