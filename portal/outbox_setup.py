"""The portal's own outbox, in the default database; learning adds its categories to it."""

from __future__ import annotations

from portal.outbox import registry


def register() -> None:
    from portal.models import OptOut, OutboxMessage

    registry.register(
        registry.Outbox(
            label="portal",
            database="default",
            message_model=OutboxMessage,
            opt_out_model=OptOut,
            ref_for_user=str,
        )
    )
