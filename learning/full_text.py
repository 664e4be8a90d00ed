"""The catalogue's full-text search: one interface, PostgreSQL's text search or SQLite's FTS5.

Both index the same five parts of a resource, weighted title over summary and topic names over
description over provider name, both stem English words ("diabetic" finds "diabetes"), and both
read the search box the way PostgreSQL's ``websearch_to_tsquery`` does: words must all be
present, "quoted words" are a phrase, ``-word`` leaves out, ``or`` between two words accepts
either. ADR 0032 explains the choice; tests/learning/test_search_on_both_databases.py holds the
cases both must pass (``make test`` runs it on PostgreSQL and again on SQLite).

The indexes are kept by triggers in the database, so bulk inserts, CSV imports and conditional
updates that send no signal are searchable at once. The SQL that installs them is here, for
migration 0004 and for any later migration that rebuilds ``learning_resource`` on SQLite.
"""

# The SQL here is built from this module's constant table and column names only; every word
# searched for is a parameter.
# ruff: noqa: S608, S611

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Expression, F, FloatField, Q
from django.db.models.expressions import RawSQL

# --- Reading the search box ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerms:
    """What a search asks for: every group must match (a group matches when any of its phrases
    does), and no phrase of ``excluded`` may. A phrase is a tuple of words."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]

    @property
    def finds_nothing(self) -> bool:
        """A search of only punctuation asks for nothing, and finds nothing (as on PostgreSQL)."""
        return not self.groups and not self.excluded


_TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')
_WORD = re.compile(r"\w+")


def parse_search(q: str) -> SearchTerms:
    """The search box's words, quoted phrases, ``-exclusions`` and ``or``s, as PostgreSQL's
    web search syntax reads them. Punctuation separates words and is otherwise ignored."""
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = False
    for token in _TOKEN.findall(q):
        negative = token.startswith("-") and len(token) > 1
        text = token[1:] if negative else token
        if not negative and text.lower() == "or" and not text.startswith('"'):
            join_next = bool(groups)
            continue
        phrase = tuple(word.lower() for word in _WORD.findall(text.replace("_", " ")))
        if not phrase:
            continue
        if negative:
            excluded.append(phrase)
        elif join_next:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    return SearchTerms(tuple(tuple(group) for group in groups), tuple(excluded))


# --- One interface, two databases ----------------------------------------------------------


class FullTextSearch(ABC):
    """Full-text search of the resources, as ORM pieces any resource queryset can use."""

    @abstractmethod
    def matches(self, q: str) -> Q:
        """The resources that the search ``q`` finds."""

    @abstractmethod
    def score(self, q: str) -> Expression | RawSQL:
        """How well a resource that ``matches(q)`` matches it: higher is better."""


class PostgresFullText(FullTextSearch):
    """``search_vector``, a tsvector kept by triggers (ADR 0008, ADR 0032), with a GIN index."""

    def _query(self, q: str) -> SearchQuery:
        return SearchQuery(q, search_type="websearch", config="english")

    def matches(self, q: str) -> Q:
        return Q(search_vector=self._query(q))

    def score(self, q: str) -> Expression:
        return SearchRank(F("search_vector"), self._query(q))


# bm25's weights of the FTS5 table's columns, in their order (title, summary, description,
# topics, provider): PostgreSQL's default weights of A, B, C, B and D, scaled by ten.
FTS_WEIGHTS = (10.0, 4.0, 2.0, 4.0, 1.0)
FTS_TABLE = "learning_resource_fts"


def fts_expression(phrases: tuple[tuple[str, ...], ...]) -> str:
    """FTS5 query text for "any of these phrases". Each is quoted: it holds words only."""
    return " OR ".join('"' + " ".join(phrase) + '"' for phrase in phrases)


class SqliteFullText(FullTextSearch):
    """An FTS5 table with the porter stemmer, one row per resource (rowid = the resource's id)."""

    def _fts_query(self, terms: SearchTerms) -> str:
        return " AND ".join(f"({fts_expression(group)})" for group in terms.groups)

    def matches(self, q: str) -> Q:
        terms = parse_search(q)
        if terms.finds_nothing:
            # Not ``pk__in=[]``, which Django cannot compile into the counting query's CTE.
            return Q(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE 0", []))
        condition = Q()
        if terms.groups:
            found = RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                [self._fts_query(terms)],
            )
            condition &= Q(id__in=found)
        if terms.excluded:
            left_out = RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                [fts_expression(terms.excluded)],
            )
            condition &= ~Q(id__in=left_out)
        return condition

    def score(self, q: str) -> RawSQL:
        terms = parse_search(q)
        if not terms.groups:
            return RawSQL("0.0", [], output_field=FloatField())
        weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
        # bm25 is lower for a better match; it is read per resource, by rowid, for the few
        # resources a page ranks (learning.queries.catalogue_search ranks at most a thousand).
        return RawSQL(
            f"-(SELECT bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "
            f'WHERE {FTS_TABLE} MATCH %s AND rowid = "learning_resource"."id")',
            [self._fts_query(terms)],
            output_field=FloatField(),
        )


def full_text_search(using: str = "default") -> FullTextSearch:
    """The full-text search of the database ``using``: PostgreSQL's, or FTS5 on SQLite."""
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return PostgresFullText()
    if vendor == "sqlite":
        return SqliteFullText()
    raise NotImplementedError(f"No catalogue search for {vendor}")


# --- Installing the indexes (migration 0004) -----------------------------------------------

# The text of one resource's topics and provider, for a resource row aliased ``r``.
TOPIC_NAMES_SQL = (
    "(SELECT {aggregate} FROM learning_resource_topics l "
    "JOIN learning_topic t ON t.id = l.topic_id WHERE l.resource_id = {resource_id})"
)
PROVIDER_NAME_SQL = "(SELECT p.name FROM learning_provider p WHERE p.id = {provider_id})"

_PG_TOPIC_NAMES = TOPIC_NAMES_SQL.format(aggregate="string_agg(t.name, ' ')", resource_id="$1")
_PG_PROVIDER_NAME = PROVIDER_NAME_SQL.format(provider_id="$5")

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION learning_resource_search_document(
  resource_id bigint, title text, summary text, description text, provider_id bigint
) RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
      || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
      || setweight(to_tsvector('english', coalesce({_PG_TOPIC_NAMES}, '')), 'B')
      || setweight(to_tsvector('english', coalesce(description, '')), 'C')
      || setweight(to_tsvector('english', coalesce({_PG_PROVIDER_NAME}, '')), 'D')
$$;

CREATE OR REPLACE FUNCTION learning_resource_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := learning_resource_search_document(
    NEW.id, NEW.title, NEW.summary, NEW.description, NEW.provider_id);
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS learning_resource_search_vector ON learning_resource;
CREATE TRIGGER learning_resource_search_vector
BEFORE INSERT OR UPDATE OF title, summary, description, provider_id ON learning_resource
FOR EACH ROW EXECUTE FUNCTION learning_resource_search_vector_update();

CREATE FUNCTION learning_resource_search_refresh_linked() RETURNS trigger AS $$
BEGIN
  UPDATE learning_resource r SET search_vector = learning_resource_search_document(
    r.id, r.title, r.summary, r.description, r.provider_id)
  WHERE r.id IN (SELECT DISTINCT resource_id FROM changed_links);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER learning_resource_topics_added
AFTER INSERT ON learning_resource_topics REFERENCING NEW TABLE AS changed_links
FOR EACH STATEMENT EXECUTE FUNCTION learning_resource_search_refresh_linked();
CREATE TRIGGER learning_resource_topics_removed
AFTER DELETE ON learning_resource_topics REFERENCING OLD TABLE AS changed_links
FOR EACH STATEMENT EXECUTE FUNCTION learning_resource_search_refresh_linked();

CREATE FUNCTION learning_resource_search_refresh_named() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'learning_topic' THEN
    UPDATE learning_resource r SET search_vector = learning_resource_search_document(
      r.id, r.title, r.summary, r.description, r.provider_id)
    WHERE r.id IN (SELECT resource_id FROM learning_resource_topics WHERE topic_id = NEW.id);
  ELSE
    UPDATE learning_resource r SET search_vector = learning_resource_search_document(
      r.id, r.title, r.summary, r.description, r.provider_id)
    WHERE r.provider_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER learning_topic_renamed AFTER UPDATE OF name ON learning_topic
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION learning_resource_search_refresh_named();
CREATE TRIGGER learning_provider_renamed AFTER UPDATE OF name ON learning_provider
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION learning_resource_search_refresh_named();

UPDATE learning_resource SET search_vector = learning_resource_search_document(
  id, title, summary, description, provider_id);
"""

# 0002's trigger, put back when 0004 is reversed.
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS learning_provider_renamed ON learning_provider;
DROP TRIGGER IF EXISTS learning_topic_renamed ON learning_topic;
DROP TRIGGER IF EXISTS learning_resource_topics_removed ON learning_resource_topics;
DROP TRIGGER IF EXISTS learning_resource_topics_added ON learning_resource_topics;
DROP FUNCTION IF EXISTS learning_resource_search_refresh_named();
DROP FUNCTION IF EXISTS learning_resource_search_refresh_linked();

CREATE OR REPLACE FUNCTION learning_resource_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS learning_resource_search_vector ON learning_resource;
CREATE TRIGGER learning_resource_search_vector
BEFORE INSERT OR UPDATE OF title, summary, description ON learning_resource
FOR EACH ROW EXECUTE FUNCTION learning_resource_search_vector_update();
DROP FUNCTION IF EXISTS learning_resource_search_document(bigint, text, text, text, bigint);
UPDATE learning_resource SET title = title;
"""


def _sqlite_refill(where: str) -> str:
    """SQL that writes the FTS rows of the resources ``r`` that ``where`` selects."""
    topics = TOPIC_NAMES_SQL.format(aggregate="group_concat(t.name, ' ')", resource_id="r.id")
    provider = PROVIDER_NAME_SQL.format(provider_id="r.provider_id")
    return (
        f"INSERT INTO {FTS_TABLE} (rowid, title, summary, description, topics, provider) "
        f"SELECT r.id, r.title, r.summary, r.description, coalesce({topics}, ''), "
        f"coalesce({provider}, '') FROM learning_resource r WHERE {where};"
    )


def _sqlite_refresh(ids: str) -> str:
    """SQL that rewrites the FTS rows of the resources whose ids ``ids`` (SQL) gives."""
    return f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({ids}); " + _sqlite_refill(f"r.id IN ({ids})")


SQLITE_TRIGGERS = {
    "learning_resource_fts_inserted": (
        "AFTER INSERT ON learning_resource",
        _sqlite_refresh("NEW.id"),
    ),
    "learning_resource_fts_updated": (
        "AFTER UPDATE OF title, summary, description, provider_id ON learning_resource",
        f"DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id; " + _sqlite_refresh("NEW.id"),
    ),
    "learning_resource_fts_deleted": (
        "AFTER DELETE ON learning_resource",
        f"DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id;",
    ),
    "learning_resource_fts_topic_added": (
        "AFTER INSERT ON learning_resource_topics",
        _sqlite_refresh("NEW.resource_id"),
    ),
    "learning_resource_fts_topic_removed": (
        "AFTER DELETE ON learning_resource_topics",
        _sqlite_refresh("OLD.resource_id"),
    ),
    "learning_resource_fts_topic_renamed": (
        "AFTER UPDATE OF name ON learning_topic",
        _sqlite_refresh("SELECT resource_id FROM learning_resource_topics WHERE topic_id = NEW.id"),
    ),
    "learning_resource_fts_provider_renamed": (
        "AFTER UPDATE OF name ON learning_provider",
        _sqlite_refresh("SELECT id FROM learning_resource WHERE provider_id = NEW.id"),
    ),
}


def install_sqlite_search(cursor: Any) -> None:
    """Create (or re-create) the FTS5 table and its triggers, and fill it from the resources."""
    cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    cursor.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "title, summary, description, topics, provider, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for name, (when, body) in SQLITE_TRIGGERS.items():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    cursor.execute(_sqlite_refill("1 = 1"))


def remove_sqlite_search(cursor: Any) -> None:
    for name in SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def install_search(apps: Any, schema_editor: Any) -> None:
    """Migration 0004 (and any later one that rebuilds learning_resource on SQLite)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_INSTALL)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            install_sqlite_search(cursor)


def remove_search(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REMOVE)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            remove_sqlite_search(cursor)
