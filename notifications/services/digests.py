"""The daily digest: each person's items go into at most one digest a day (unique (recipient, date)), e-mailed
once (``sent_at`` under a row lock), those still unread when it is sent."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lifecycle.permissions import remember_roles, role_rows_of_outer_user
from notifications.links import for_links, in_email_html, in_email_text, with_links
from notifications.models import Digest, Notification
from notifications.selectors import new_items, shown_to


def digests_prepare(*, today: datetime.date) -> list[int]:
    """One digest per person per day, holding everything not yet e-mailed. Returns the unsent digest ids."""
    with transaction.atomic():
        # order_by(): the model's default ordering would otherwise join the DISTINCT (one row per item).
        recipients = list(Notification.objects.filter(digest__isnull=True).order_by("recipient_id")
                          .values_list("recipient_id", flat=True).distinct())
        Digest.objects.bulk_create([Digest(recipient_id=user_id, digest_date=today) for user_id in recipients],
                                   ignore_conflicts=True)
        # digest_send holds a digest's row lock while it e-mails it. Wait for any of these being sent now: the
        # update below (a new snapshot) then sees it sent and keeps the new items for tomorrow, instead of
        # filing them in an e-mail that has already gone. Holding the locks keeps new sends back till we commit.
        list(Digest.objects.select_for_update().filter(recipient_id__in=recipients, digest_date=today,
                                                       sent_at__isnull=True).order_by("pk").values_list("pk"))
        todays = Digest.objects.filter(recipient_id=OuterRef("recipient_id"), digest_date=today,
                                       sent_at__isnull=True).values("pk")[:1]
        # Items arriving after today's digest went out wait for tomorrow's (at most one e-mail a day).
        Notification.objects.filter(digest__isnull=True, recipient_id__in=recipients).update(digest=Subquery(todays))
    return list(Digest.objects.filter(digest_date=today, sent_at__isnull=True).values_list("pk", flat=True))


def digests_pending(*, older_than_seconds: int = 300) -> list[int]:
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return list(Digest.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).order_by("pk")
                .values_list("pk", flat=True))


def digest_send(*, digest_id: int) -> bool:
    """Send one digest e-mail, once. Returns False if it had already been sent (a re-delivered task)."""
    with transaction.atomic():
        # Lock the digest only: locking the joined user row too would hold up that person's own requests
        # (their last login, every audit event naming them) for as long as the mail server takes.
        # The recipient's roles come in the same query, for what they may be shown (below).
        digest = (Digest.objects.select_for_update(of=("self",)).select_related("recipient")
                  .annotate(recipient_roles=role_rows_of_outer_user("recipient_id")).filter(pk=digest_id).first())
        if digest is None or digest.sent_at is not None:
            return False
        remember_roles(digest.recipient, digest.recipient_roles)
        # Only what is still unread when the e-mail is written: an item read since it was filed (a request to read a
        # policy is marked read when they confirm it, notifications.services.inbox.requests_to_read_mark_read) needs
        # nothing more of them, and the e-mail lists "what needs your attention". Read items stay filed in the digest
        # (out of the undigested index) and are not counted. Each leads where the inbox's item does, if its reader
        # may open it when the e-mail is written. Items are written when something happens and e-mailed later: as the
        # inbox, the e-mail leaves out an item about an OFFICIAL-SENSITIVE policy its recipient is not cleared for now
        # (a role removed in between: security probe F2), and does not count it (notifications.selectors). The item
        # stays in their inbox, unread, shown again if they are cleared again.
        # Nor an item whose reminder was closed before the e-mail went (notifications.selectors.no_longer_needed).
        unread = for_links(shown_to(digest.items.filter(new_items()), user=digest.recipient))
        items = with_links(unread.order_by("created_at", "pk"), user=digest.recipient)
        digest.attempts += 1
        if not items or not digest.recipient.email or not digest.recipient.is_active:
            digest.sent_at = timezone.now()
            digest.item_count = len(items)
            digest.save(update_fields=["sent_at", "attempts", "item_count"])
            return False
        base_url = settings.POLICYHUB_BASE_URL.rstrip("/")
        # Every link in the e-mail a full address: the items' pages (base_url + link) and any path their words name.
        for item in items:
            item.title_in_email = in_email_text(item, item.title, base_url=base_url)
            item.body_in_email = in_email_text(item, item.body, base_url=base_url)
            item.body_in_email_html = in_email_html(item, base_url=base_url)
        context = {"user": digest.recipient, "items": items, "digest": digest, "base_url": base_url,
                   "inbox_url": base_url + reverse("notifications:list")}
        plural = "s" if len(items) != 1 else ""
        message = EmailMultiAlternatives(
            subject=f"PolicyHub: {len(items)} item{plural} for you on {digest.digest_date:%-d %B %Y}",
            body=render_to_string("notifications/digest.txt", context),
            to=[digest.recipient.email],
            headers={"Message-ID": f"<digest-{digest.pk}@policyhub>", "X-PolicyHub-Digest": str(digest.pk)},
        )
        message.attach_alternative(render_to_string("notifications/digest.html", context), "text/html")
        # Sent inside the lock and marked sent in the same transaction: a crash before the commit means it
        # is sent again (the Message-ID lets the mail system drop the copy); never lost.
        message.send()
        digest.sent_at = timezone.now()
        digest.item_count = len(items)
        digest.save(update_fields=["sent_at", "attempts", "item_count"])
    return True
