"""The outbox: messages that are rows first and emails second, so none is lost or doubled.

A change that should tell someone writes an outbox row in its own transaction (`queue`); the
row is handed to Celery once that transaction commits, and a beat task sweeps up any row whose
hand-off was lost (Redis down, a worker killed). A worker claims rows with a conditional update
before sending, so a task delivered twice sends once. Each app keeps its outbox in its own
database: hub messages in "confidential", learning ones in "default" (docs/adr/0012-outbox.md).

Modules: `models` (the abstract rows), `registry` (which outboxes and categories exist),
`queueing` (writing rows and handing them off), `delivery` (claiming and sending), `channels`
(email and GOV.UK Notify), `rendering` (the email templates), `unsubscribe` (signed links).
"""
