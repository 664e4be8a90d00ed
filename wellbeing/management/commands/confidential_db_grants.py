"""Print the SQL that gives the confidential database two roles: an owner that runs migrations,
and the application's role, which can read and append to the audit log but not change, delete,
truncate or alter it (docs/operations.md, "The confidential database's roles"; ADR 0019).

Run the SQL once as a PostgreSQL superuser, connected to the confidential database, and again
after any migration made as someone other than the owner role. It creates the roles if missing
(without passwords: set them with `\\password`), and is safe to run twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from wellbeing.models import DATABASE, AuditEntry

GRANTS = """\
-- Roles for the Resilience Hub's confidential database ({database}).
-- Run as a superuser, connected to that database. Then: \\password {owner} and \\password {app};
-- migrations run as {owner}; CONFIDENTIAL_DATABASE_URL for the web processes and workers names
-- {app}.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {owner_literal}) THEN
    CREATE ROLE {owner} LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {app_literal}) THEN
    CREATE ROLE {app} LOGIN;
  END IF;
END
$$;

-- The owner role owns the database, its schema and everything the migrations made. The app role
-- owns nothing: only an owner (or a superuser) can ALTER a table, switch its triggers off, or
-- drop it.
ALTER DATABASE {database} OWNER TO {owner};
REVOKE ALL ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {owner}, {app};
ALTER SCHEMA public OWNER TO {owner};
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {app};
DO $$
DECLARE
  item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER TABLE public.%I OWNER TO %I', item.tablename, {owner_literal});
  END LOOP;
  FOR item IN
    SELECT p.oid::regprocedure AS signature FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.signature, {owner_literal});
  END LOOP;
END
$$;

-- Ordinary reads and writes everywhere, now and for tables later migrations make.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO {app};

-- The audit log: read and append, nothing else.
REVOKE ALL ON public.{audit_table} FROM {app};
GRANT SELECT, INSERT ON public.{audit_table} TO {app};
"""


def grants_sql(*, owner: str, app: str, database: str) -> str:
    quote = connections[DATABASE].ops.quote_name
    return GRANTS.format(
        owner=quote(owner),
        app=quote(app),
        owner_literal=_literal(owner),
        app_literal=_literal(app),
        database=quote(database),
        audit_table=quote(AuditEntry._meta.db_table),
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Command(BaseCommand):
    help = "Print the SQL for the confidential database's owner and application roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="portal_hub_owner", help="runs the migrations")
        parser.add_argument("--app", default="portal_hub_app", help="the web processes' role")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[DATABASE]
        if connection.vendor != "postgresql":
            raise CommandError("The confidential database is not PostgreSQL: there are no roles.")
        database = str(connection.settings_dict["NAME"])
        self.stdout.write(grants_sql(owner=options["owner"], app=options["app"], database=database))
