from notifications.services import outbox_relay


def relay_now(sender, **kwargs) -> None:
    """``make run`` only (POLICYHUB_RELAY_ON_COMMIT): relay the outbox straight after the commit."""
    outbox_relay()
