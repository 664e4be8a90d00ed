"""The catalogue search: full-text search (learning/full_text.py, the same on PostgreSQL and
SQLite) with facets, counts, sorting and pagination, and the cached topic and provider choices
that the facets offer (forgotten by learning/signals.py).

Its queries are fixed in number however large the catalogue (tests/learning/test_query_counts.py),
and so is its cost past COUNT_LIMIT matches (ADR 0033).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Field,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.formats import number_format
from django.utils.functional import cached_property

from learning.competencies import STRATEGIC_OBJECTIVES
from learning.full_text import full_text_search
from learning.models import (
    LearningRecord,
    Level,
    Objective,
    Provider,
    Resource,
    ResourceFormat,
    ResourceQuerySet,
    Topic,
)
from learning.queries.summaries import ResourceSummary, published_resources

if TYPE_CHECKING:
    from portal.models import User


PER_PAGE = 20
SEARCH_MAX_LENGTH = 200


# --- What the catalogue can be filtered by -------------------------------------------------


@dataclass(frozen=True)
class DurationBand:
    """A band of the duration facet: from ``min_minutes`` up to, not including, ``below``."""

    key: str
    label: str
    min_minutes: int
    below: int | None  # None: no upper bound

    def condition(self) -> Q:
        q = Q(duration_minutes__gte=self.min_minutes)
        if self.below is not None:
            q &= Q(duration_minutes__lt=self.below)
        return q


# The one definition of the duration bands. A day is the NHS working day of seven and a half
# hours; "half a day" starts where "1 to 3 hours" ends.
DURATION_BANDS = (
    DurationBand("under-1-hour", "Under 1 hour", 0, 60),
    DurationBand("1-to-3-hours", "1 to 3 hours", 60, 181),
    DurationBand("half-a-day-to-a-day", "Half a day to a day", 181, 451),
    DurationBand("more-than-a-day", "More than a day", 451, None),
)
COST_CHOICES = (("free", "Free"), ("paid", "Paid"))
CO_PRODUCED_CHOICES = (("yes", "Co-produced with people with lived experience"),)
LEVEL_CHOICES = tuple((str(value), str(label)) for value, label in Level.choices)
FORMAT_CHOICES = tuple((str(value), str(label)) for value, label in ResourceFormat.choices)
OBJECTIVE_CHOICES = tuple(
    (str(number), f"{number}. {title}") for number, title in enumerate(STRATEGIC_OBJECTIVES, 1)
)
DURATION_CHOICES = tuple((band.key, band.label) for band in DURATION_BANDS)

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_SHORTEST = "shortest"
SORT_CHOICES = (
    # With no search words there is nothing to match, so "Best match" lists the newest first.
    (SORT_RELEVANCE, "Best match"),
    (SORT_NEWEST, "Newest"),
    (SORT_SHORTEST, "Shortest first"),
)

# The facets, in the order they are shown, with their legends.
FACETS = (
    ("level", "Level"),
    ("format", "Format"),
    ("objective", "Strategic objective"),
    ("topic", "Topic"),
    ("provider", "Provider"),
    ("cost", "Cost"),
    ("duration", "Time it takes"),
    ("co_produced", "Co-production"),
)
FACET_NAMES = tuple(name for name, _ in FACETS)


@dataclass(frozen=True)
class CatalogueChoices:
    """The options of every facet: fixed ones from code, topics and providers from the database."""

    topics: tuple[tuple[str, str], ...]
    providers: tuple[tuple[str, str], ...]

    def for_facet(self, name: str) -> tuple[tuple[str, str], ...]:
        return {
            "level": LEVEL_CHOICES,
            "format": FORMAT_CHOICES,
            "objective": OBJECTIVE_CHOICES,
            "topic": self.topics,
            "provider": self.providers,
            "cost": COST_CHOICES,
            "duration": DURATION_CHOICES,
            "co_produced": CO_PRODUCED_CHOICES,
        }[name]


# Topics and providers change rarely but are read on every catalogue page, so they are kept in
# the shared cache; saving or deleting either forgets them (learning/signals.py).
CATALOGUE_CHOICES_CACHE_KEY = "learning:catalogue-choices:1"
CATALOGUE_CHOICES_CACHE_SECONDS = 300


def catalogue_choices() -> CatalogueChoices:
    """The topics and providers that exist, as (slug, name) pairs: from the cache, or two queries."""
    cached = cache.get(CATALOGUE_CHOICES_CACHE_KEY)
    if cached is None:
        cached = (
            tuple(Topic.objects.order_by("name").values_list("slug", "name")),
            tuple(Provider.objects.order_by("name").values_list("slug", "name")),
        )
        cache.set(CATALOGUE_CHOICES_CACHE_KEY, cached, CATALOGUE_CHOICES_CACHE_SECONDS)
    topics, providers = cached
    return CatalogueChoices(topics=tuple(topics), providers=tuple(providers))


def forget_catalogue_choices() -> None:
    cache.delete(CATALOGUE_CHOICES_CACHE_KEY)


# A search is kept in the shared cache in two parts (ADR 0033): its facet counts and number of
# results, named by the search and the filters only (so a new sort or page reuses them), and a
# page of it, named by the search, filters, sort and page, which holds the page's resources
# themselves. A repeated search reads both, and the catalogue's generation, in one round trip
# and no query. Every cached part belongs to the generation it was made in; any change to a
# resource or what it is filed under starts a new one (learning/signals.py, and the curation
# workflow's conditional updates, which send no signals), and a part of an older generation is
# ignored. The time limit bounds what a change made without either (a raw SQL fix) can leave
# stale.
SEARCH_CACHE_SECONDS = 300
CATALOGUE_GENERATION_KEY = "learning:catalogue-generation"
COUNTS_CACHE_PREFIX = "learning:search-counts:"
PAGE_CACHE_PREFIX = "learning:search-page:"

# Counting is bounded so that a broad search costs the same in a catalogue of 100,000 as of
# 10,000 (ADR 0033): when a search matches more resources than this, the page says "more than
# 1,000", offers the filters without counts, and pages through the first 1,000 (for best match,
# the best of the 1,000 most recently published).
COUNT_LIMIT = 1000


def catalogue_changed() -> None:
    """Forget every cached search: the next search starts a new generation."""
    cache.delete(CATALOGUE_GENERATION_KEY)


def _new_generation() -> str:
    cache.add(CATALOGUE_GENERATION_KEY, uuid.uuid4().hex, None)
    generation: str = cache.get(CATALOGUE_GENERATION_KEY) or ""
    return generation


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def _search_names(params: CatalogueParams, sort: str) -> tuple[str, str]:
    """The names of a search's counts and of its page in the cache (without the generation)."""
    asked = [params.q, {name: sorted(params.selected(name)) for name in FACET_NAMES}]
    return _digest(asked), _digest([*asked, sort, params.page])


@dataclass(frozen=True)
class CatalogueParams:
    """A validated catalogue request (CatalogueFilterForm makes one): search, filters, sort, page.

    Facet values are strings, as they are in the URL.
    """

    q: str = ""
    level: tuple[str, ...] = ()
    format: tuple[str, ...] = ()
    objective: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    provider: tuple[str, ...] = ()
    cost: tuple[str, ...] = ()
    duration: tuple[str, ...] = ()
    co_produced: tuple[str, ...] = ()
    sort: str = ""
    page: int = 1

    def selected(self, facet: str) -> tuple[str, ...]:
        values: tuple[str, ...] = getattr(self, facet)
        return values

    @property
    def effective_sort(self) -> str:
        """Relevance only means something when searching; otherwise the newest come first."""
        if self.sort == SORT_RELEVANCE and not self.q:
            return SORT_NEWEST
        return self.sort or (SORT_RELEVANCE if self.q else SORT_NEWEST)

    @property
    def has_filters(self) -> bool:
        return any(self.selected(name) for name in FACET_NAMES)

    def querystring(self, **changes: Any) -> str:
        """This request as a query string, with ``changes``; the page is dropped unless given."""
        params = replace(self, **{"page": 1, **changes})
        pairs: list[tuple[str, str]] = []
        if params.q:
            pairs.append(("q", params.q))
        for name in FACET_NAMES:
            pairs.extend((name, value) for value in params.selected(name))
        if params.sort:
            pairs.append(("sort", params.sort))
        if params.page > 1:
            pairs.append(("page", str(params.page)))
        return "?" + urlencode(pairs) if pairs else "?"

    def without(self, facet: str, value: str) -> str:
        """The query string with one filter value removed."""
        remaining = tuple(v for v in self.selected(facet) if v != value)
        return self.querystring(**{facet: remaining})


# --- The catalogue -----------------------------------------------------------------------


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int | None  # None: not counted, as the search matches too many resources
    selected: bool
    # Made once in Python rather than by the template for each of the (often 250) options: the
    # checkbox's id, the count as the template would localise it, and "resource" or "resources".
    input_id: str = ""
    count_text: str = ""
    noun: str = ""


@dataclass(frozen=True)
class Facet:
    name: str
    legend: str
    options: tuple[FacetOption, ...]


@dataclass(frozen=True)
class SelectedFilter:
    facet_legend: str
    label: str
    remove_querystring: str


@dataclass(frozen=True)
class _Counted:
    """A search's facet counts ({facet: {option: resources}}) and its number of results.

    When the search matches more than COUNT_LIMIT resources, ``counts`` is None; ``total`` is
    exact up to COUNT_LIMIT, and COUNT_LIMIT + 1 means "more than 1,000".
    """

    counts: dict[str, dict[str, int]] | None
    total: int


@dataclass(frozen=True)
class _Shown:
    """A page of a search: its number (the last page if there are fewer) and its resources."""

    number: int
    resources: list[Resource]


@dataclass
class CatalogueResults:
    params: CatalogueParams
    page: Page[Resource]
    results: list[ResourceSummary]
    counts: dict[str, dict[str, int]] | None
    choices: CatalogueChoices
    selected_filters: list[SelectedFilter]
    notices: list[str] = field(default_factory=list)
    # Name this search's filter panel (and its generation) and this page's list of results in
    # the shared cache: the template keeps each as HTML, as each depends on nothing else.
    cache_key: str = ""
    results_cache_key: str = ""
    more_than_limit: bool = False

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def total_text(self) -> str:
        """ "1 resource", "20 resources" or "More than 1,000 resources"."""
        if self.more_than_limit:
            return f"More than {self.count_limit} resources"
        return f"{_count_text(self.total)} resource{'' if self.total == 1 else 's'}"

    @property
    def facets_counted(self) -> bool:
        """Whether the filters show counts: only when the search matches COUNT_LIMIT or fewer."""
        return self.counts is not None

    @property
    def count_limit(self) -> str:
        """COUNT_LIMIT as the page words it: "1,000"."""
        return f"{COUNT_LIMIT:,}"

    @property
    def sort(self) -> str:
        return self.params.effective_sort

    @cached_property
    def facets(self) -> list[Facet]:
        """Every facet's options and counts. Built only when the filter panel is not cached."""
        counts = self.counts
        facets = []
        for name, legend in FACETS:
            selected = self.params.selected(name)
            found = counts[name] if counts is not None else None
            shown = [
                (value, label, found.get(value, 0) if found is not None else None)
                for value, label in self.choices.for_facet(name)
                # Long lists (topics, providers) only offer what would find something, when
                # that is known.
                if name not in ("topic", "provider")
                or found is None
                or found.get(value)
                or value in selected
            ]
            options = tuple(
                FacetOption(
                    value,
                    label,
                    count,
                    value in selected,
                    input_id=f"filter-{name}-{place}",
                    count_text="" if count is None else _count_text(count),
                    noun="resource" if count == 1 else "resources",
                )
                for place, (value, label, count) in enumerate(shown, 1)
            )
            facets.append(Facet(name, legend, options))
        return facets

    def page_links(self) -> list[tuple[int | str, str]]:
        """(number or the ellipsis, query string) for the pagination component."""
        links: list[tuple[int | str, str]] = []
        for number in self.page.paginator.get_elided_page_range(
            self.page.number, on_each_side=2, on_ends=1
        ):
            if isinstance(number, int):
                links.append((number, self.params.querystring(page=number)))
            else:
                links.append((str(number), ""))
        return links

    @property
    def previous_querystring(self) -> str:
        if not self.page.has_previous():
            return ""
        return self.params.querystring(page=self.page.previous_page_number())

    @property
    def next_querystring(self) -> str:
        if not self.page.has_next():
            return ""
        return self.params.querystring(page=self.page.next_page_number())


def _facet_condition(name: str, values: Sequence[str]) -> Q:
    """The filter one facet's selected values make: any of them (OR) within a facet."""
    if name == "level":
        return Q(level__in=[int(v) for v in values])
    if name == "format":
        return Q(format__in=values)
    if name == "objective":
        # A subquery on the link table, not a join, so no resource is counted twice.
        objective_links = Resource.objectives.through.objects.filter(
            objective__number__in=[int(v) for v in values]
        )
        return Q(id__in=objective_links.values("resource_id"))
    if name == "topic":
        topic_links = Resource.topics.through.objects.filter(topic__slug__in=values)
        return Q(id__in=topic_links.values("resource_id"))
    if name == "provider":
        return Q(provider__slug__in=values)
    condition = Q(pk__in=[])
    if name == "cost":
        if "free" in values:
            condition |= Q(cost_pence=0)
        if "paid" in values:
            condition |= Q(cost_pence__gt=0)
        return condition
    if name == "duration":
        for band in DURATION_BANDS:
            if band.key in values:
                condition |= band.condition()
        return condition
    if name == "co_produced":
        return Q(co_produced=True) if "yes" in values else Q()
    raise ValueError(f"Unknown facet {name!r}")


# The facets whose options are columns of the resource (or, for cost, duration and co-production,
# mutually exclusive bands of one), and those that are many-to-many links.
SINGLE_VALUED_FACETS = ("level", "format", "provider", "cost", "duration", "co_produced")
# For each linked facet: the link table, its column naming the option's row, that row's table
# and the column holding the option's value.
LINKED_FACETS = {
    "objective": (Resource.objectives.through, "objective", Objective, "number"),
    "topic": (Resource.topics.through, "topic", Topic, "slug"),
}


def _option_of(name: str) -> Any:
    """An expression for the option of a single-valued facet that a resource falls in."""
    if name in ("level", "format"):
        return Cast(name, output_field=CharField())
    if name == "provider":
        return F("provider__slug")
    if name == "cost":
        return Case(When(Q(cost_pence=0), then=Value("free")), default=Value("paid"))
    if name == "duration":
        return Case(*(When(band.condition(), then=Value(band.key)) for band in DURATION_BANDS))
    if name == "co_produced":
        return Case(When(Q(co_produced=True), then=Value("yes")))
    raise ValueError(f"Unknown facet {name!r}")


def _column(model: type[Model], name: str) -> str:
    """The database column of a concrete field."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} has no column")
    return field.column


# The orders of a page. "Best match" ranks by the full-text score, then as "Newest". The
# published resources have an index in each of the other two orders (migration 0004).
NEWEST_ORDER = (F("published_at").desc(nulls_last=True), F("id").desc())
PAGE_ORDER = {
    SORT_NEWEST: NEWEST_ORDER,
    SORT_SHORTEST: (F("duration_minutes").asc(), F("title").asc(), F("id").asc()),
}


class _CatalogueQuery:
    """The queries of one search: its counts, and a page of it. Made only on a cache miss."""

    def __init__(self, params: CatalogueParams) -> None:
        self.q = params.q
        self.full_text = full_text_search(Resource.objects.db)
        searched = published_resources()
        if params.q:
            searched = searched.filter(self.full_text.matches(params.q))
        self.searched = searched
        self.conditions = {
            name: _facet_condition(name, params.selected(name))
            for name in FACET_NAMES
            if params.selected(name)
        }

    @property
    def filtered(self) -> ResourceQuerySet:
        return self.searched.filter(*self.conditions.values())

    def count(self) -> _Counted:
        """Every facet's counts and the number of results, from at most COUNT_LIMIT + 1 matches.

        Each facet counts the resources that match the search and every *other* selected facet.
        The matches of the search are selected once, as a CTE, with each one's option of every
        single-valued facet and a yes/no column per selected facet; every count then reads that
        CTE, and the links of its resources by index. One query; two when the search matches more
        than COUNT_LIMIT and filters are chosen (the results are then counted up to the limit).
        """
        conditions = self.conditions
        matched = self.searched.order_by().annotate(
            **{f"option_{name}": _option_of(name) for name in SINGLE_VALUED_FACETS},
            **{
                f"chosen_{name}": ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in conditions.items()
            },
        )
        columns = ["id", *(f"option_{n}" for n in SINGLE_VALUED_FACETS)]
        columns += [f"chosen_{n}" for n in conditions]
        bounded = matched.values(*columns)[: COUNT_LIMIT + 1]
        matched_sql, params = bounded.query.get_compiler(using=matched.db).as_sql()

        def where_others(name: str) -> str:
            others = [f"m.chosen_{other}" for other in conditions if other != name]
            return " AND ".join(others) or "1 = 1"

        database = connections[matched.db]
        quote = database.ops.quote_name
        # Built from names in this module and quoted table and column names only; every value
        # the user chose is a parameter of the CTE.
        selects = [
            f"SELECT '{name}' AS facet, m.option_{name} AS option, COUNT(*) AS n FROM matched m "  # noqa: S608
            f"WHERE {where_others(name)} GROUP BY m.option_{name}"
            for name in SINGLE_VALUED_FACETS
        ]
        for name, (through, link_field, target, key) in LINKED_FACETS.items():
            link, table = quote(through._meta.db_table), quote(target._meta.db_table)
            value = quote(_column(target, key))
            from_column = quote(_column(through, "resource"))
            to_column = quote(_column(through, link_field))
            # (resource, objective) and (resource, topic) are unique, so no resource counts twice.
            # The links of the matched resources (at most COUNT_LIMIT + 1) are read by index:
            # PostgreSQL would otherwise hash the whole link table, whose size grows with the
            # catalogue. OFFSET 0 keeps its planner from flattening the lateral subquery into a
            # join; SQLite's planner always loops over the CTE's rows, reading the index.
            if database.vendor == "postgresql":
                links = (
                    f"CROSS JOIN LATERAL (SELECT {to_column} AS option_id FROM {link} "  # noqa: S608
                    f"WHERE {from_column} = m.id OFFSET 0) l"
                )
            else:
                links = (
                    f"JOIN (SELECT {from_column}, {to_column} AS option_id FROM {link}) l "  # noqa: S608
                    f"ON l.{from_column} = m.id"
                )
            selects.append(
                f"SELECT '{name}', CAST(t.{value} AS TEXT), COUNT(*) FROM matched m "  # noqa: S608
                f"{links} JOIN {table} t ON t.id = l.option_id "
                f"WHERE {where_others(name)} GROUP BY t.{value}"
            )
        every = " AND ".join(f"m.chosen_{name}" for name in conditions) or "1 = 1"
        selects.append(f"SELECT '{MATCHED_ROW}', '', COUNT(*) FROM matched m")  # noqa: S608
        selects.append(f"SELECT '', '', COUNT(*) FROM matched m WHERE {every}")  # noqa: S608
        sql = f"WITH matched AS ({matched_sql}) " + " UNION ALL ".join(selects)

        counts: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}
        total = matches = 0
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            for facet, option, n in cursor.fetchall():
                if facet == MATCHED_ROW:
                    matches = n
                elif not facet:
                    total = n
                elif option is not None:
                    counts[facet][str(option)] = n
        if matches <= COUNT_LIMIT:
            return _Counted(counts, total)
        if conditions:
            total = self.filtered.order_by()[: COUNT_LIMIT + 1].count()
        else:
            total = COUNT_LIMIT + 1
        return _Counted(None, total)

    def page(self, sort: str, number: int) -> list[Resource]:
        """The resources of page ``number`` in the order ``sort``: one query, or two for "Best
        match" (the page's ids, ranked, then their resources).

        Only what a page needs is ranked: "Best match" scores the matches (at most COUNT_LIMIT,
        the most recently published) as it reads them, and keeps the best PER_PAGE in the
        database. The other orders read the page from an index.
        """
        offset = (number - 1) * PER_PAGE
        # Past COUNT_LIMIT, the last page stops at the limit, as the paginator says.
        limit = min(PER_PAGE, max(COUNT_LIMIT, PER_PAGE) - offset)
        shown = published_resources().defer("description", "search_vector")
        if not (sort == SORT_RELEVANCE and self.q):
            ordered = self.filtered.defer("description", "search_vector")
            return list(
                ordered.order_by(*PAGE_ORDER.get(sort, NEWEST_ORDER))[offset : offset + limit]
            )
        candidates = (
            self.filtered.order_by(*NEWEST_ORDER)
            .annotate(score=self.full_text.score(self.q))
            .values("id", "score", "published_at")[:COUNT_LIMIT]
        )
        candidates_sql, params = candidates.query.get_compiler(using=candidates.db).as_sql()
        ranked = (
            f"SELECT c.id FROM ({candidates_sql}) c "  # noqa: S608
            "ORDER BY c.score DESC, c.published_at DESC NULLS LAST, c.id DESC LIMIT %s OFFSET %s"
        )
        with connections[candidates.db].cursor() as cursor:
            cursor.execute(ranked, [*params, limit, offset])
            ids = [pk for (pk,) in cursor.fetchall()]
        by_id = shown.order_by().in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]


MATCHED_ROW = "~matched"  # the facet name of the row that counts the search's matches


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told how many results there are, so it does not count them again."""

    def __init__(
        self, object_list: QuerySet[Resource] | Sequence[Resource], per_page: int, *, count: int
    ) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _statuses_for(user: User | None, resources: Sequence[Resource]) -> dict[int, str]:
    """{resource id: the user's learning status} for a page of resources. One query, or none."""
    if user is None or not user.is_authenticated or not resources:
        return {}
    records = LearningRecord.objects.filter(user=user, resource__in=[r.pk for r in resources])
    return dict(records.values_list("resource_id", "status"))


def _count_text(count: int) -> str:
    """A count as ``{{ count }}`` shows it: grouped only if the settings say so."""
    if settings.USE_THOUSAND_SEPARATOR:
        return number_format(count, use_l10n=True)
    return str(count)


def _current(entry: Any, generation: str) -> Any:
    """A cached part of a search, if it was made in the catalogue's current generation."""
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
        return entry[1]
    return None


def search_catalogue(
    params: CatalogueParams,
    *,
    user: User | None = None,
    choices: CatalogueChoices | None = None,
) -> CatalogueResults:
    """Search and filter the published catalogue, with facet counts and one page of results.

    Each facet's counts reflect the search and every *other* facet's selection, so choosing a
    level still shows how many resources the other levels hold. A page past the end shows the
    last page, with a notice. Queries: the choices (2, unless given or cached); for a search made
    lately, none (one round trip to the cache); otherwise the counts (1, or 2 past COUNT_LIMIT
    with filters) and the page (1), or only the page when another sort or page of the same
    search was made lately; and for a signed-in user, their status of each resource shown (1).
    """
    choices = choices or catalogue_choices()
    sort = params.effective_sort
    counts_name, page_name = _search_names(params, sort)
    counts_key, page_key = COUNTS_CACHE_PREFIX + counts_name, PAGE_CACHE_PREFIX + page_name
    # Look in the cache before building anything: the generation and both parts at once.
    found = cache.get_many([CATALOGUE_GENERATION_KEY, counts_key, page_key])
    generation = found.get(CATALOGUE_GENERATION_KEY) or _new_generation()
    counted: _Counted | None = _current(found.get(counts_key), generation)
    shown: _Shown | None = _current(found.get(page_key), generation)

    if counted is None or shown is None:
        query = _CatalogueQuery(params)
        fresh: dict[str, tuple[str, object]] = {}
        if counted is None:
            counted = query.count()
            fresh[counts_key] = (generation, counted)
        if shown is None:
            last = _CountedPaginator((), PER_PAGE, count=min(counted.total, COUNT_LIMIT)).num_pages
            number = min(max(params.page, 1), last)
            shown = _Shown(number, query.page(sort, number))
            fresh[page_key] = (generation, shown)
        cache.set_many(fresh, SEARCH_CACHE_SECONDS)

    paginator = _CountedPaginator((), PER_PAGE, count=min(counted.total, COUNT_LIMIT))
    notices = []
    if params.page > shown.number:
        notices.append(
            f"There is no page {params.page}, so we are showing page {shown.number}, the last."
            if shown.number > 1
            else f"There is no page {params.page}, so we are showing the first page."
        )
    paginator.validate_number(shown.number)
    resources = shown.resources
    page = Page(resources, shown.number, paginator)
    # The user's statuses are read for this page only, and name the cached list of results that
    # shows them (most pages show none, so most people share one cached list).
    statuses = _statuses_for(user, resources)
    statuses_name = _digest(sorted(statuses.items())) if statuses else ""

    labels = {name: dict(choices.for_facet(name)) for name in FACET_NAMES}
    legends = dict(FACETS)
    selected_filters = [
        SelectedFilter(legends[name], labels[name].get(value, value), params.without(name, value))
        for name in FACET_NAMES
        for value in params.selected(name)
    ]
    return CatalogueResults(
        params=replace(params, page=shown.number),
        page=page,
        results=[ResourceSummary(r, statuses.get(r.pk)) for r in resources],
        counts=counted.counts,
        choices=choices,
        selected_filters=selected_filters,
        notices=notices,
        cache_key=f"{generation}:{counts_name}",
        results_cache_key=f"{generation}:{page_name}:{statuses_name}",
        more_than_limit=counted.total > COUNT_LIMIT,
    )
