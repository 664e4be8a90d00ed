"""Screening questionnaires for the Resilience Hub, defined as data, and how they are scored.

Each instrument is free to use and is reproduced with its items, answer options, scoring, bands
and risk rule as published, so that forms, confirmation pages, the clinicians' queue and reports
all read one definition. The rest of the code needs only::

    from wellbeing.instruments import score

    result = score("PHQ-9", answers)  # result.total, result.band, result.risk, result.risk_items

Pure Python on purpose: no Django, no database, so scoring is testable and reusable anywhere
(forms, services, re-scoring stored answers in a data migration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "INSTRUMENTS",
    "SCREENING_QUESTIONS",
    "TRAUMATIC_EVENT",
    "Band",
    "Instrument",
    "Item",
    "Option",
    "ReliableChangeIndex",
    "RiskRule",
    "Score",
    "ScreeningQuestion",
    "get_instrument",
    "is_asked",
    "not_asked",
    "score",
]


@dataclass(frozen=True)
class Option:
    """One answer a person can choose, and the score it carries.

    `label` is empty for the unlabelled points of a scale (WSAS shows words only at 0, 2, 4, 6
    and 8); `display_label` gives such points their number so every choice can still be named.
    """

    value: int
    label: str

    @property
    def display_label(self) -> str:
        return self.label or str(self.value)


@dataclass(frozen=True)
class Item:
    """One question. `options` is empty when the item uses its instrument's shared options."""

    number: int
    text: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Band:
    """A range of totals, inclusive at both ends, and its exact published label."""

    low: int
    high: int
    label: str

    def __contains__(self, total: object) -> bool:
        return isinstance(total, int) and self.low <= total <= self.high


@dataclass(frozen=True)
class RiskRule:
    """Flags risk when the answer to item `item` is above `above`.

    Declarative rather than a callable so the rule can be shown to clinicians, compared in tests
    and stored alongside a result without pickling code.
    """

    item: int
    above: int
    reason: str

    def is_met_by(self, answer: int) -> bool:
        return answer > self.above


@dataclass(frozen=True)
class ReliableChangeIndex:
    """What a change in total must exceed to be more than measurement error.

    The Jacobson and Truax index (wellbeing.outcomes.reliable_change) from a published
    reliability coefficient and the standard deviation of the sample it was measured in.
    """

    reliability: float
    sd: float
    source: str

    @property
    def threshold(self) -> float:
        """The change a total must exceed to be reliable: 1.96 x the standard error of the
        difference, SD x sqrt(2) x sqrt(1 - r) (Jacobson and Truax 1991)."""
        return 1.96 * self.sd * math.sqrt(2) * math.sqrt(1 - self.reliability)


@dataclass(frozen=True)
class Instrument:
    """A published screening questionnaire."""

    code: str
    title: str
    purpose: str
    preamble: str
    items: tuple[Item, ...]
    options: tuple[Option, ...]
    bands: tuple[Band, ...]
    risk_rules: tuple[RiskRule, ...]
    citation: str
    # Bump when wording, options, bands or rules change, and store it with each result, so an
    # old answer set can always be traced to the definition that scored it.
    version: str
    # PHQ-9 and GAD-7 use the national reliable change thresholds (wellbeing.outcomes); the
    # others this index, where one is published.
    reliable_change: ReliableChangeIndex | None = None

    def options_for(self, item: Item) -> tuple[Option, ...]:
        """The answers offered for `item`: its own where it has them (AUDIT-C), else shared."""
        return item.options or self.options

    @property
    def min_total(self) -> int:
        return sum(min(o.value for o in self.options_for(item)) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(o.value for o in self.options_for(item)) for item in self.items)

    def band_for(self, total: int) -> Band:
        """The band holding `total`; ValueError if the total cannot come from this instrument."""
        for band in self.bands:
            if total in band:
                return band
        raise ValueError(
            f"{self.code} total {total} is outside {self.min_total} to {self.max_total}"
        )


@dataclass(frozen=True)
class Score:
    """The scored result of one completed questionnaire."""

    code: str
    total: int
    band: str
    risk: bool
    # Item numbers whose answers met a risk rule, so the confirmation page and the queue can say
    # why a referral was flagged, not only that it was.
    risk_items: tuple[int, ...]


# --- Shared answer scales ---------------------------------------------------------------------

# PHQ-9 and GAD-7 share the PRIME-MD response scale.
_HOW_OFTEN_2_WEEKS = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)

_PCL5_SCALE = (
    Option(0, "Not at all"),
    Option(1, "A little bit"),
    Option(2, "Moderately"),
    Option(3, "Quite a bit"),
    Option(4, "Extremely"),
)

# WSAS is a 0-8 scale labelled at the even points only, as published.
_WSAS_SCALE = (
    Option(0, "Not at all"),
    Option(1, ""),
    Option(2, "Slightly"),
    Option(3, ""),
    Option(4, "Definitely"),
    Option(5, ""),
    Option(6, "Markedly"),
    Option(7, ""),
    Option(8, "Very severely"),
)


def _items(*texts: str) -> tuple[Item, ...]:
    """Number items from 1 in the order given, so numbering cannot drift from the text."""
    return tuple(Item(number, text) for number, text in enumerate(texts, start=1))


# --- The instruments ----------------------------------------------------------------------------

PHQ_9 = Instrument(
    code="PHQ-9",
    title="Patient Health Questionnaire (PHQ-9)",
    purpose="Low mood (PHQ-9)",
    preamble=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=_items(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    options=_HOW_OFTEN_2_WEEKS,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    # Any answer above "Not at all" to item 9 needs same-day attention whatever the total:
    # a total of 1 can still mean thoughts of self-harm.
    risk_rules=(
        RiskRule(
            item=9,
            above=0,
            reason="Thoughts of being better off dead or of self-harm",
        ),
    ),
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity "
        "measure. J Gen Intern Med. 2001;16(9):606-613."
    ),
    version="1",
)

GAD_7 = Instrument(
    code="GAD-7",
    title="Generalised Anxiety Disorder assessment (GAD-7)",
    purpose="Anxiety (GAD-7)",
    preamble=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=_items(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    options=_HOW_OFTEN_2_WEEKS,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    risk_rules=(),
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
        "anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097."
    ),
    version="1",
)

# The PCL-5 is published by the US National Center for PTSD in American English; its items are
# kept exactly as published ("behavior") rather than anglicised.
PCL_5 = Instrument(
    code="PCL-5",
    title="PTSD Checklist for DSM-5 (PCL-5)",
    purpose="Reactions to a very stressful experience (PCL-5)",
    preamble="In the past month, how much were you bothered by:",
    items=_items(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening again "
        "(as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful experience "
        "(for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, "
        "having thoughts such as: I am bad, there is something seriously wrong with me, no one "
        "can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    options=_PCL5_SCALE,
    # 33 is the cut-point Bovin et al. (2016) recommend for a probable PTSD diagnosis.
    bands=(
        Band(0, 32, "below threshold"),
        Band(33, 80, "probable PTSD"),
    ),
    risk_rules=(),
    citation=(
        "Bovin MJ, Marx BP, Weathers FW, Gallagher MW, Rodriguez P, Schnurr PP, Keane TM. "
        "Psychometric properties of the PTSD Checklist for Diagnostic and Statistical Manual of "
        "Mental Disorders-Fifth Edition (PCL-5) in veterans. Psychol Assess. "
        "2016;28(11):1379-1391."
    ),
    version="1",
    # Reliability: the test-retest correlation of Study 1 (trauma-exposed students, N = 278,
    # about a week apart). SD: the total's standard deviation in Table 3, "Normative data for
    # the PCL-5", of a 2020 sample (M = 38.81, SD = 12.40). The threshold these give is a change
    # of more than 14.58 points: 15 or more (wellbeing.outcomes.reliable_change).
    reliable_change=ReliableChangeIndex(
        reliability=0.82,
        sd=12.40,
        source=(
            "Reliability r = .82: Blevins CA, Weathers FW, Davis MT, Witte TK, Domino JL. The "
            "Posttraumatic Stress Disorder Checklist for DSM-5 (PCL-5): development and initial "
            "psychometric evaluation. J Trauma Stress. 2015;28(6):489-498. "
            "doi:10.1002/jts.22059 (Study 1, test-retest). SD = 12.40: J Affect Disord. "
            "2020;277:368-374. doi:10.1016/j.jad.2020.08.038 (PMC7443209), Table 3, "
            "normative data for the PCL-5 total."
        ),
    ),
)

# The UK version counts UK units (8 g of alcohol) and sets the binge threshold by sex, which is
# why each question carries its own answers rather than sharing one scale.
AUDIT_C = Instrument(
    code="AUDIT-C",
    title="Alcohol Use Disorders Identification Test for Consumption (AUDIT-C)",
    purpose="Alcohol use (AUDIT-C)",
    preamble="These questions are about how much alcohol you drink.",
    items=(
        Item(
            1,
            "How often do you have a drink containing alcohol?",
            (
                Option(0, "Never"),
                Option(1, "Monthly or less"),
                Option(2, "2 to 4 times per month"),
                Option(3, "2 to 3 times per week"),
                Option(4, "4 or more times per week"),
            ),
        ),
        Item(
            2,
            "How many units of alcohol do you drink on a typical day when you are drinking?",
            (
                Option(0, "0 to 2"),
                Option(1, "3 to 4"),
                Option(2, "5 to 6"),
                Option(3, "7 to 9"),
                Option(4, "10 or more"),
            ),
        ),
        Item(
            3,
            "How often have you had 6 or more units if female, or 8 or more if male, on a single "
            "occasion in the last year?",
            (
                Option(0, "Never"),
                Option(1, "Less than monthly"),
                Option(2, "Monthly"),
                Option(3, "Weekly"),
                Option(4, "Daily or almost daily"),
            ),
        ),
    ),
    # Every item has its own answers; nothing is shared.
    options=(),
    bands=(
        Band(0, 4, "lower risk"),
        Band(5, 7, "increasing risk"),
        Band(8, 10, "higher risk"),
        Band(11, 12, "possible dependence"),
    ),
    risk_rules=(),
    citation=(
        "Office for Health Improvement and Disparities. Alcohol use screening tests (AUDIT-C), "
        "UK version. GOV.UK. Adapted from Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. "
        "The AUDIT alcohol consumption questions (AUDIT-C). Arch Intern Med. "
        "1998;158(16):1789-1795."
    ),
    version="1",
    # No reliable change index: Bradley et al. (1998) report test-retest agreement item by item
    # (Kendall's tau-b 0.65 to 0.85), not for the total, and we found no citable SD of the UK
    # AUDIT-C total; pages say "no published reliable change index" (hazard log H16).
    reliable_change=None,
)

WSAS = Instrument(
    code="WSAS",
    title="Work and Social Adjustment Scale (WSAS)",
    purpose="Day-to-day impact on work and life (WSAS)",
    preamble=(
        "People's problems sometimes affect their ability to do certain day-to-day tasks in "
        "their lives. To rate your problems look at each section and determine on the scale "
        "provided how much your problem impairs your ability to carry out the activity."
    ),
    items=_items(
        "Because of my [problem] my ability to work is impaired. '0' means 'not at all "
        "impaired' and '8' means very severely impaired to the point I can't work.",
        "Because of my [problem] my home management (cleaning, tidying, shopping, cooking, "
        "looking after home or children, paying bills) is impaired.",
        "Because of my [problem] my social leisure activities (with other people, e.g. parties, "
        "bars, clubs, outings, visits, dating, home entertaining) are impaired.",
        "Because of my [problem], my private leisure activities (done alone, such as reading, "
        "gardening, collecting, sewing, walking alone) are impaired.",
        "Because of my [problem], my ability to form and maintain close relationships with "
        "others, including those I live with, is impaired.",
    ),
    options=_WSAS_SCALE,
    bands=(
        Band(0, 9, "subclinical"),
        Band(10, 20, "significant"),
        Band(21, 40, "severe"),
    ),
    risk_rules=(),
    citation=(
        "Mundt JC, Marks IM, Shear MK, Greist JH. The Work and Social Adjustment Scale: a simple "
        "measure of impairment in functioning. Br J Psychiatry. 2002;180:461-464."
    ),
    version="1",
    # No reliable change index: Mundt et al. (2002) publish a test-retest correlation of 0.73
    # but we found no standard deviation of the total from a sample we could cite, and an index
    # from an invented SD would call changes reliable that are not. Pages say "no published
    # reliable change index" instead (hazard log H16).
    reliable_change=None,
)

# Fixed order: the self-referral form asks them in this order.
INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument for instrument in (PHQ_9, GAD_7, PCL_5, AUDIT_C, WSAS)
}


@dataclass(frozen=True)
class ScreeningQuestion:
    """One question asked before an instrument, whose answer decides whether it is asked at all.

    Trauma-informed screening asks first whether something traumatic happened, in one question
    that asks for no detail, and gives the trauma questionnaire only to those who say yes or
    prefer not to say: twenty questions about "the stressful experience" mean nothing to someone
    who has not had one, and a total of 0 from them would read as "no symptoms" when the truth is
    "not asked". The reasoning is in the clinical safety hazard log (H14).
    """

    instrument: str
    field: str  # the answer's name where it is stored (the draft, the referral)
    question: str
    hint: str
    options: tuple[tuple[str, str], ...]
    # Answers after which the instrument is not asked. Anything else (including "prefer not to
    # say") asks it: a person unsure whether to tell us is not a person with nothing to tell.
    skipped_after: frozenset[str]
    # What the hub and the person see in place of a score when it was not asked.
    not_asked: str


TRAUMATIC_EVENT = ScreeningQuestion(
    instrument="PCL-5",
    field="traumatic_event",
    question="Has something traumatic or very distressing ever happened to you?",
    hint=(
        "For example, a serious accident, an assault or abuse, a sudden death, or something "
        "very distressing you saw or dealt with at work. You do not need to say what happened. If "
        "you say yes, or prefer not to say, the next page asks how it has affected you in the "
        "past month."
    ),
    options=(("yes", "Yes"), ("no", "No"), ("prefer_not_to_say", "Prefer not to say")),
    skipped_after=frozenset({"no"}),
    not_asked="Not asked: said no traumatic event",
)

# Instruments asked only after a screening question, by instrument code. AUDIT-C has none: its
# first item already asks whether someone drinks, and "Never" scores a true 0 (hazard log H14).
SCREENING_QUESTIONS: dict[str, ScreeningQuestion] = {
    question.instrument: question for question in (TRAUMATIC_EVENT,)
}


def is_asked(code: str, screening_answers: Mapping[str, object]) -> bool:
    """Whether instrument `code` is asked, given the screening answers so far (by field).

    An instrument with no screening question is always asked; so is one whose question has not
    been answered yet, or was never asked (a referral from before the question existed).
    """
    question = SCREENING_QUESTIONS.get(code)
    if question is None:
        return True
    return screening_answers.get(question.field) not in question.skipped_after


def not_asked(screening_answers: Mapping[str, object]) -> list[ScreeningQuestion]:
    """The screening questions whose answers meant their instrument was not asked, in the
    instruments' order: what a page shows in place of those scores."""
    return [
        SCREENING_QUESTIONS[code]
        for code in INSTRUMENTS
        if code in SCREENING_QUESTIONS and not is_asked(code, screening_answers)
    ]


def _check_definition(instrument: Instrument) -> None:
    """Refuse to import a definition that could mis-score: fail at start-up, not on a referral.

    Raises rather than asserts so the check also runs under `python -O`.
    """
    code = instrument.code
    numbers = [item.number for item in instrument.items]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"{code} items must be numbered 1 to {len(numbers)}, got {numbers}")
    for item in instrument.items:
        values = [option.value for option in instrument.options_for(item)]
        if not values or len(set(values)) != len(values):
            raise RuntimeError(f"{code} item {item.number} needs distinct answer options")
    # Bands in order, starting at the lowest possible total, each starting where the last ended
    # and the last ending at the highest: every total has exactly one band.
    expected_low = instrument.min_total
    for band in instrument.bands:
        if band.low != expected_low or band.high < band.low:
            raise RuntimeError(f"{code} band {band.label!r} leaves a gap or overlaps")
        expected_low = band.high + 1
    if expected_low != instrument.max_total + 1:
        raise RuntimeError(f"{code} bands must end at the highest total, {instrument.max_total}")
    for rule in instrument.risk_rules:
        if not 1 <= rule.item <= len(instrument.items):
            raise RuntimeError(f"{code} risk rule names item {rule.item}, which does not exist")


for _instrument in INSTRUMENTS.values():
    _check_definition(_instrument)
del _instrument
for _question in SCREENING_QUESTIONS.values():
    if _question.instrument not in INSTRUMENTS:
        raise RuntimeError(f"A screening question names {_question.instrument}, which is unknown")
    if not _question.skipped_after <= {value for value, _label in _question.options}:
        raise RuntimeError(
            f"{_question.instrument}'s screening question skips on an unknown answer"
        )
del _question


def get_instrument(code: str) -> Instrument:
    """The instrument with this code (e.g. "PHQ-9"); ValueError if there is none."""
    try:
        return INSTRUMENTS[code]
    except (KeyError, TypeError):
        # TypeError: an unhashable code is as unknown as a misspelt one.
        known = ", ".join(INSTRUMENTS)
        raise ValueError(f"Unknown instrument {code!r}: expected one of {known}") from None


def _describe(values: Sequence[int]) -> str:
    return ", ".join(str(value) for value in values)


def score(code: str, answers: Sequence[int]) -> Score:
    """Score one completed questionnaire.

    `answers` holds one int per item, in item order. Raises ValueError, with a message that names
    the problem, for an unknown code, the wrong number of answers, or an answer that is not one of
    the item's options. Nothing is coerced: a bool, float or str answer is a bug in the caller,
    and scoring it quietly could put a wrong band or a missed risk flag on someone's referral.
    """
    instrument = get_instrument(code)
    # str and bytes are sequences too, and "0120" would otherwise look like four answers.
    if isinstance(answers, str | bytes | bytearray | memoryview | Mapping) or not isinstance(
        answers, Sequence
    ):
        raise ValueError(
            f"{code} answers must be a list or tuple of whole numbers, got {type(answers).__name__}"
        )
    expected = len(instrument.items)
    if len(answers) != expected:
        raise ValueError(f"{code} needs {expected} answers, got {len(answers)}")

    total = 0
    for item, answer in zip(instrument.items, answers, strict=True):
        # bool is a subclass of int, but True is not an answer anyone chose.
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise ValueError(
                f"{code} item {item.number}: {answer!r} is not a whole number "
                f"(got {type(answer).__name__})"
            )
        allowed = [option.value for option in instrument.options_for(item)]
        if answer not in allowed:
            raise ValueError(
                f"{code} item {item.number}: {answer} is not one of {_describe(allowed)}"
            )
        total += answer

    # dict.fromkeys keeps rule order and names an item once even if two rules meet on it.
    risk_items = tuple(
        dict.fromkeys(
            rule.item for rule in instrument.risk_rules if rule.is_met_by(answers[rule.item - 1])
        )
    )
    return Score(
        code=instrument.code,
        total=total,
        band=instrument.band_for(total).label,
        risk=bool(risk_items),
        risk_items=risk_items,
    )
