"""The outcome of one referral: did the person get better, by the measures the NHS uses.

Pure Python on purpose, like `wellbeing.instruments`: no Django, no database, so every definition
is tested at its boundaries and the reports, the referral page and the research extract all read
one rule::

    from wellbeing.outcomes import paired_outcome

    o = paired_outcome(first={"PHQ-9": 15, "GAD-7": 12}, last={"PHQ-9": 8, "GAD-7": 6})
    o.recovery, o.reliable_improvement  # True, True

Definitions, as NHS Talking Therapies uses them:

- NHS England. NHS Talking Therapies for anxiety and depression manual, version 7 (2024),
  "Outcome measures" and appendix "Key performance indicators and definitions".
- NHS Digital. Psychological Therapies: Reports on the use of IAPT services, glossary of
  outcome measures (recovery, reliable improvement, reliable recovery, reliable deterioration).
- Gyani A, Shafran R, Layard R, Clark DM. Enhancing recovery rates: lessons from year one of
  IAPT. Behav Res Ther. 2013;51(9):597-606.

**Caseness**: PHQ-9 total >= 10, or GAD-7 total >= 8 (either is enough).
**Reliable improvement**: PHQ-9 falls by 6 or more, or GAD-7 falls by 4 or more, and neither
rises reliably. **Reliable deterioration**: either rises reliably, and neither falls reliably.
**Recovery**: at caseness at the start and not at the end; only those at caseness at the start
are in its denominator, so for the others it is None. **Reliable recovery**: recovery and
reliable improvement.

For the other questionnaires a change is reliable when it exceeds the Jacobson and Truax
reliable change threshold from the instrument's published reliability and standard deviation
(`wellbeing.instruments`, `Instrument.reliable_change`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from wellbeing.instruments import INSTRUMENTS

__all__ = [
    "CASENESS",
    "RELIABLE_CHANGE",
    "PairedOutcome",
    "is_case",
    "paired_outcome",
    "reliable_change",
]

# The totals at or above which a person is "a case" (NHS Talking Therapies manual).
CASENESS: dict[str, int] = {"PHQ-9": 10, "GAD-7": 8}
# A fall or rise of at least this much is more than measurement error (same source).
RELIABLE_CHANGE: dict[str, int] = {"PHQ-9": 6, "GAD-7": 4}
PAIRED_MEASURES = tuple(CASENESS)


@dataclass(frozen=True)
class PairedOutcome:
    """The first and last PHQ-9 and GAD-7 of one referral, and what they say together."""

    first: Mapping[str, int]
    last: Mapping[str, int]
    caseness_at_start: bool
    caseness_at_end: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    recovery: bool | None
    reliable_recovery: bool | None

    def change(self, code: str) -> int:
        """Last minus first: negative is better on every measure here."""
        return self.last[code] - self.first[code]

    @property
    def no_reliable_change(self) -> bool:
        return not (self.reliable_improvement or self.reliable_deterioration)


def _checked_totals(which: str, totals: Mapping[str, object]) -> dict[str, int]:
    """The PHQ-9 and GAD-7 totals of `totals`, or ValueError saying what is wrong, plainly."""
    checked: dict[str, int] = {}
    for code in PAIRED_MEASURES:
        if code not in totals or totals[code] is None:
            raise ValueError(f"The {which} scores have no {code} total")
        value = totals[code]
        # bool is an int in Python; a True total is a mistake, not a score of 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"The {which} {code} total must be a whole number, not {value!r}")
        instrument = INSTRUMENTS[code]
        if not instrument.min_total <= value <= instrument.max_total:
            raise ValueError(
                f"The {which} {code} total {value} is outside "
                f"{instrument.min_total} to {instrument.max_total}"
            )
        checked[code] = value
    return checked


def is_case(totals: Mapping[str, int]) -> bool:
    """At caseness: PHQ-9 >= 10 or GAD-7 >= 8."""
    return any(totals[code] >= threshold for code, threshold in CASENESS.items())


def paired_outcome(*, first: Mapping[str, object], last: Mapping[str, object]) -> PairedOutcome:
    """The outcome between a referral's first and last PHQ-9 and GAD-7 totals.

    Raises ValueError, with a plain message, when either mapping lacks a total, holds a total
    outside the instrument's range, or holds something that is not a whole number.
    """
    start = _checked_totals("first", first)
    end = _checked_totals("last", last)
    fell = [start[code] - end[code] >= RELIABLE_CHANGE[code] for code in PAIRED_MEASURES]
    rose = [end[code] - start[code] >= RELIABLE_CHANGE[code] for code in PAIRED_MEASURES]
    improvement = any(fell) and not any(rose)
    deterioration = any(rose) and not any(fell)
    case_at_start, case_at_end = is_case(start), is_case(end)
    recovery = (not case_at_end) if case_at_start else None
    return PairedOutcome(
        first=start,
        last=end,
        caseness_at_start=case_at_start,
        caseness_at_end=case_at_end,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        recovery=recovery,
        reliable_recovery=(recovery and improvement) if recovery is not None else None,
    )


def reliable_change(code: str, first: int, last: int) -> int:
    """-1 for a reliable fall (better), 1 for a reliable rise (worse), 0 for neither.

    PHQ-9 and GAD-7 use the national thresholds above; the others the Jacobson and Truax index
    from the instrument's published reliability and standard deviation. ValueError for an
    instrument without a published index or a total outside its range.
    """
    instrument = INSTRUMENTS.get(code)
    if instrument is None:
        raise ValueError(f"{code} is not a questionnaire the hub uses")
    for which, value in (("first", first), ("last", last)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"The {which} {code} total must be a whole number, not {value!r}")
        if not instrument.min_total <= value <= instrument.max_total:
            raise ValueError(
                f"The {which} {code} total {value} is outside "
                f"{instrument.min_total} to {instrument.max_total}"
            )
    if code in RELIABLE_CHANGE:
        threshold: float = RELIABLE_CHANGE[code]
        difference = last - first
        if difference >= threshold:
            return 1
        if -difference >= threshold:
            return -1
        return 0
    index = instrument.reliable_change
    if index is None:
        raise ValueError(f"{code} has no published reliable change index")
    difference = last - first
    # Jacobson NS, Truax P. Clinical significance: a statistical approach to defining meaningful
    # change in psychotherapy research. J Consult Clin Psychol. 1991;59(1):12-19.
    # RCI = difference / S_diff, S_diff = sqrt(2 * SE^2), SE = SD * sqrt(1 - r); reliable if
    # |RCI| > 1.96.
    s_diff = math.sqrt(2) * index.sd * math.sqrt(1 - index.reliability)
    rci = difference / s_diff
    if rci > 1.96:
        return 1
    if rci < -1.96:
        return -1
    return 0
