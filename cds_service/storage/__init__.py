"""What the service keeps: issued cards and findings, feedback, and snoozes, in SQLite or PostgreSQL.

Owns the store interface and its records (`store`), the two backends (`store_sqlite`, `store_postgres`,
with their findings tables in `store_findings`), the choice between them by URL (`store_factory`), what
every shared-state backend has in common (URL schemes, redaction, the `Unavailable` error and outage
memory: `dependencies`), the background writer of issued cards (`card_recorder`) and snoozes with their
patient keys (`snooze`). It may import only the shared `metrics`; it never imports `protocol`, `security`,
`fetch` or `server`. `dependencies` imports nothing from `cds_service`, so `config` and `security` use it.
"""
