"""The catalogue search: full-text search with facets, counts, sorting and pagination, and the
cached topic and provider choices that the facets offer (forgotten by learning/signals.py).

Its queries are fixed in number however large the catalogue (tests/learning/test_query_counts.py).
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
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, connections
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


# A search's facet counts and page of ids are kept in the shared cache: staff search for the same
# things (the benchmark's 14 searches are typical), and the full-text match is the page's main
# cost. Every cached search belongs to the catalogue's current generation; any change to a
# resource or what it is filed under starts a new one (learning/signals.py, and the curation
# workflow's conditional updates, which send no signals). The time limit bounds what a change
# made without either (a raw SQL fix) can leave stale.
SEARCH_CACHE_SECONDS = 300
CATALOGUE_GENERATION_KEY = "learning:catalogue-generation"


def catalogue_changed() -> None:
    """Forget every cached search: the next search starts a new generation."""
    cache.delete(CATALOGUE_GENERATION_KEY)


def _search_cache_key(params: CatalogueParams, sort: str) -> str:
    generation = cache.get(CATALOGUE_GENERATION_KEY)
    if generation is None:
        cache.add(CATALOGUE_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(CATALOGUE_GENERATION_KEY)
    asked = json.dumps(
        [params.q, {name: sorted(params.selected(name)) for name in FACET_NAMES}, sort, params.page]
    )
    return f"learning:search:{generation}:{hashlib.sha256(asked.encode()).hexdigest()}"


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
    count: int
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


@dataclass
class CatalogueResults:
    params: CatalogueParams
    page: Page[Resource]
    results: list[ResourceSummary]
    facets: list[Facet]
    selected_filters: list[SelectedFilter]
    notices: list[str] = field(default_factory=list)
    # Names this search in the shared cache (and its generation): the template caches the
    # rendered filter panel under it, as the panel depends on nothing else.
    cache_key: str = ""

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def sort(self) -> str:
        return self.params.effective_sort

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


def _search(queryset: ResourceQuerySet, q: str) -> tuple[ResourceQuerySet, SearchQuery | None]:
    """Full-text search on PostgreSQL; on SQLite, every word somewhere in the text."""
    if not q:
        return queryset, None
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config="english")
        return queryset.filter(search_vector=query), query
    for word in q.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return queryset, None


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


# How a page of results is ordered, as SQL on the columns of the ``matched`` CTE (the page query
# reads those rows by primary key and puts them back in this order).
PAGE_ORDER = {
    SORT_RELEVANCE: "m.rank DESC, m.published_at DESC NULLS LAST, m.id DESC",
    SORT_NEWEST: "m.published_at DESC NULLS LAST, m.id DESC",
    SORT_SHORTEST: "m.duration_minutes ASC, m.title ASC, m.id ASC",
}
PAGE_ROW = "~page"  # the facet name of the rows that carry the page's ids


@dataclass(frozen=True)
class _Counted:
    """What the facet query finds: the counts, the number of results and the page's ids."""

    counts: dict[str, dict[str, int]]
    total: int
    page_ids: list[int]


def _facet_counts(
    searched: ResourceQuerySet,
    conditions: dict[str, Q],
    *,
    search_query: SearchQuery | None = None,
    sort: str = SORT_NEWEST,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> _Counted:
    """Every facet's counts ({facet: {option: resources}}), the number of results and the ids of
    page ``page`` of them in the order ``sort`` (the last page if there are fewer). One query.

    Each facet counts the resources that match the search and every *other* selected facet. The
    search is the costly part (the full-text match is evaluated row by row), so the matched
    resources are selected once, as a CTE, with each one's option of every single-valued facet,
    a yes/no column per selected facet and the columns the results are sorted by (the rank only
    when sorting by relevance); every count, and the page, then reads that CTE. The CTE is used
    more than once, so PostgreSQL and SQLite materialise it.
    """
    ranked = sort == SORT_RELEVANCE and search_query is not None
    if sort == SORT_RELEVANCE and not ranked:
        sort = SORT_NEWEST
    matched = searched.order_by().annotate(
        **{f"option_{name}": _option_of(name) for name in SINGLE_VALUED_FACETS},
        **{
            f"chosen_{name}": ExpressionWrapper(condition, output_field=BooleanField())
            for name, condition in conditions.items()
        },
    )
    columns = ["id", *(f"option_{n}" for n in SINGLE_VALUED_FACETS)]
    columns += [f"chosen_{n}" for n in conditions]
    if ranked and search_query is not None:
        matched = matched.annotate(rank=SearchRank(F("search_vector"), search_query))
        columns += ["rank", "published_at"]
    elif sort == SORT_SHORTEST:
        columns += ["duration_minutes", "title"]
    else:
        columns += ["published_at"]
    matched_sql, params = matched.values(*columns).query.get_compiler(using=matched.db).as_sql()

    def where_others(name: str) -> str:
        others = [f"m.chosen_{other}" for other in conditions if other != name]
        return " AND ".join(others) or "1 = 1"

    database = connections[matched.db]
    quote = database.ops.quote_name
    # Built from names in this module and quoted table and column names only; every value the
    # user chose is a parameter of the CTE.
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
        selects.append(
            f"SELECT '{name}', CAST(t.{value} AS TEXT), COUNT(*) FROM matched m "  # noqa: S608
            f"JOIN {link} l ON l.{from_column} = m.id JOIN {table} t ON t.id = l.{to_column} "
            f"WHERE {where_others(name)} GROUP BY t.{value}"
        )
    every = " AND ".join(f"m.chosen_{name}" for name in conditions) or "1 = 1"
    selects.append(f"SELECT '', '', COUNT(*) FROM matched m WHERE {every}")  # noqa: S608
    # The page: the results numbered in the chosen order, and those of the page asked for, or of
    # the last page when there are fewer results (as the paginator shows the last page then).
    # Its rows carry the id as the option and the place in the order as the count.
    offset = (max(page, 1) - 1) * per_page
    order = PAGE_ORDER[sort]
    first = (
        f"CASE WHEN {offset} < p.total THEN {offset} "
        f"ELSE ((p.total - 1) / {per_page}) * {per_page} END"
    )
    selects.append(
        f"SELECT '{PAGE_ROW}', CAST(p.id AS TEXT), p.place FROM ("  # noqa: S608
        f"SELECT m.id, ROW_NUMBER() OVER (ORDER BY {order}) AS place, COUNT(*) OVER () AS total "
        f"FROM matched m WHERE {every}) p "
        f"WHERE p.place > {first} AND p.place <= {first} + {per_page}"
    )
    sql = f"WITH matched AS ({matched_sql}) " + " UNION ALL ".join(selects)

    counts: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}
    total = 0
    places: list[tuple[int, int]] = []
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, option, n in cursor.fetchall():
            if not facet:
                total = n
            elif facet == PAGE_ROW:
                places.append((n, int(option)))
            elif option is not None:
                counts[facet][str(option)] = n
    return _Counted(counts, total, [pk for _, pk in sorted(places)])


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


def search_catalogue(
    params: CatalogueParams,
    *,
    user: User | None = None,
    choices: CatalogueChoices | None = None,
) -> CatalogueResults:
    """Search and filter the published catalogue, with facet counts and one page of results.

    Each facet's counts reflect the search and every *other* facet's selection, so choosing a
    level still shows how many resources the other levels hold. A page past the end shows the
    last page, with a notice. Queries: the choices (2, unless given), the facet counts with the
    number of results (1, or none when the same search was made lately: it is cached), the page
    (1) and, for a signed-in user, their status of each (1).
    """
    choices = choices or catalogue_choices()
    searched, search_query = _search(published_resources(), params.q)
    conditions = {
        name: _facet_condition(name, params.selected(name))
        for name in FACET_NAMES
        if params.selected(name)
    }
    sort = params.effective_sort
    key = _search_cache_key(params, sort)
    found = cache.get(key)
    if found is None:
        found = _facet_counts(
            searched, conditions, search_query=search_query, sort=sort, page=params.page
        )
        cache.set(key, found, SEARCH_CACHE_SECONDS)
    counts, total = found.counts, found.total

    facets = []
    for name, legend in FACETS:
        selected = params.selected(name)
        shown = [
            (value, label, counts[name].get(value, 0))
            for value, label in choices.for_facet(name)
            # Long lists (topics, providers) only offer what would find something.
            if name not in ("topic", "provider") or counts[name].get(value) or value in selected
        ]
        options = tuple(
            FacetOption(
                value,
                label,
                count,
                value in selected,
                input_id=f"filter-{name}-{place}",
                count_text=_count_text(count),
                noun="resource" if count == 1 else "resources",
            )
            for place, (value, label, count) in enumerate(shown, 1)
        )
        facets.append(Facet(name, legend, options))

    notices = []
    paginator = _CountedPaginator((), PER_PAGE, count=total)
    number = params.page
    if number > paginator.num_pages:
        notices.append(
            f"There is no page {number}, so we are showing page {paginator.num_pages}, the last."
            if paginator.num_pages > 1
            else f"There is no page {number}, so we are showing the first page."
        )
        number = paginator.num_pages
    paginator.validate_number(number)
    # The facet query chose the page's resources, in order; they are read by primary key. The
    # user's statuses are read for this page only: as a subquery of the ranked query they would be
    # looked up for every match before the sort.
    by_id = published_resources().defer("description", "search_vector").in_bulk(found.page_ids)
    resources = [by_id[pk] for pk in found.page_ids if pk in by_id]
    page = Page(resources, number, paginator)
    statuses = _statuses_for(user, resources)

    labels = {name: dict(choices.for_facet(name)) for name in FACET_NAMES}
    legends = dict(FACETS)
    selected_filters = [
        SelectedFilter(legends[name], labels[name].get(value, value), params.without(name, value))
        for name in FACET_NAMES
        for value in params.selected(name)
    ]
    return CatalogueResults(
        params=replace(params, page=number),
        page=page,
        results=[ResourceSummary(r, statuses.get(r.pk)) for r in resources],
        facets=facets,
        selected_filters=selected_filters,
        notices=notices,
        cache_key=key,
    )
