"""Varied catalogue searches, as staff make them, from the seeded catalogue's own vocabulary.

Every search has its own words (conditions alone and in pairs, skills, audiences, a quoted
phrase, an exclusion, a few broad ones), most carry one or two facets chosen at random from
what the catalogue offers, a third ask for a later page, and some are sorted. A fixed seed makes
the same list on every run, so two runs measure the same traffic. No search is repeated: each
URL is distinct, so a cold pass (each URL once, after the catalogue's generation changes) never
meets its own cache entry.
"""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Sequence

from bench import vocabulary as words

SEED = 1616
LEVELS = ("1", "2", "3")
COSTS = ("free", "paid")
DURATIONS = ("under-1-hour", "1-to-3-hours", "half-a-day-to-a-day", "more-than-a-day")
SORTS = ("newest", "shortest")


def search_words(rng: random.Random) -> list[str]:
    """Every distinct thing typed into the search box, shuffled with `rng`."""
    physical = [term.lower() for term in words.PHYSICAL]
    mental = [term.lower() for term in words.MENTAL]
    typed = {*physical, *mental, *words.SKILLS}
    typed.update(f"{p} {m}" for p in physical for m in mental)
    typed.update(f"{m} {audience}" for m in mental for audience in words.AUDIENCES[:6])
    typed.update(f'"{skill}" {m}' for skill in words.SKILLS[:6] for m in mental[:6])
    typed.update(f"{m} -{p}" for m in mental[:8] for p in physical[:4])
    typed.update(("physical health", "mental health training", "mental health", "training"))
    ordered = sorted(typed)
    rng.shuffle(ordered)
    return ordered


def facets(
    rng: random.Random,
    formats: Sequence[str],
    topics: Sequence[str],
    providers: Sequence[str],
    objectives: Sequence[str],
) -> list[tuple[str, str]]:
    """None, one or two facets, as the filter panel's checkboxes send them."""
    offered: list[tuple[str, Sequence[str]]] = [
        ("level", LEVELS),
        ("format", formats),
        ("objective", objectives),
        ("topic", topics),
        ("provider", providers),
        ("cost", COSTS),
        ("duration", DURATIONS),
        ("co_produced", ("yes",)),
    ]
    chosen: list[tuple[str, str]] = []
    roll = rng.random()
    how_many = 0 if roll < 0.25 else 1 if roll < 0.75 else 2
    for name, values in rng.sample(offered, how_many):
        if values:
            chosen.append((name, rng.choice(list(values))))
    return chosen


def search_paths(
    catalogue_path: str,
    count: int,
    *,
    formats: Sequence[str],
    topics: Sequence[str],
    providers: Sequence[str],
    objectives: Sequence[str],
) -> list[str]:
    """`count` distinct catalogue URLs, each with its own search words."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible traffic, not security
    typed = search_words(rng)
    if count > len(typed):
        raise ValueError(f"Only {len(typed)} distinct searches can be made, not {count}")
    paths = []
    for q in typed[:count]:
        pairs = [("q", q), *facets(rng, formats, topics, providers, objectives)]
        if rng.random() < 0.2:
            pairs.append(("sort", rng.choice(SORTS)))
        if rng.random() < 1 / 3:
            pairs.append(("page", str(rng.randint(2, 4))))
        paths.append(f"{catalogue_path}?{urllib.parse.urlencode(pairs)}")
    return paths
