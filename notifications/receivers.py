def relay_now(sender, **kwargs) -> None:
    """``make run`` only (POLICYHUB_RELAY_ON_COMMIT): relay the outbox straight after the commit."""
    from notifications.services import outbox_relay

    outbox_relay()
