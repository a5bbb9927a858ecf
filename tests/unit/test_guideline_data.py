"""The guideline data, indication by indication, against the passage each row checks.

One row per indication: evidence, line, dose, days per cycle, interval, review and
washout cycles, single cycle, adjuvant rule and adjuncts. The quote column is the
passage the row rests on and must occur in the guideline text.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from ivig_workflow import settings
from ivig_workflow.domain.guideline.model import Guideline
from ivig_workflow.loading.guideline import load_guideline
from tests.unit.test_guideline_sources import occurs_in_guideline

GUIDELINE: Guideline = load_guideline(settings.REPO_ROOT / "config")

SLUGS = [
    "dermatomyositis",
    "polymyositis",
    "inclusion-body-myositis",
    "pemphigus-vulgaris",
    "pemphigus-foliaceus",
    "mucous-membrane-pemphigoid",
    "bullous-pemphigoid",
    "epidermolysis-bullosa-acquisita",
    "linear-iga-disease",
    "iga-pemphigus",
    "paraneoplastic-pemphigus",
    "kawasaki-disease",
    "wegener-granulomatosis",
    "polyarteritis-nodosa",
    "iga-vasculitis",
    "churg-strauss",
    "microscopic-polyangiitis",
    "secondary-autoimmune-vasculitis",
    "antiphospholipid-syndrome",
    "systemic-lupus-erythematosus",
    "scleroderma",
    "toxic-epidermal-necrolysis",
    "atopic-dermatitis",
    "autoimmune-urticaria",
    "scleromyxoedema",
    "pyoderma-gangrenosum",
]


class Row(NamedTuple):
    slug: str
    level: str | None
    grade: str | None
    line: str
    g_per_kg: float
    days: tuple[int, int, int]  # min, default, max
    interval: tuple[int, int, int]  # initial, max, step (weeks)
    long_term: tuple[int | None, int | None, int | None]  # review, washout, cycles planned
    adjuvant: bool  # immunosuppression required alongside IVIg
    quote: str
    adjuncts: tuple[tuple[str, float], ...] = ()


# The guideline's own apostrophes, kept so that quotes match its text.
ACUTE, RIGHT_QUOTE = "\u00b4", "\u2019"
SECOND, FIRST, LAST = "second", "first", "last_resort"
STD, ONE_DAY, TEN_DAYS = (2, 3, 5), (1, 1, 5), (3, 3, 5)
CHRONIC, ONE_CYCLE = (4, 6, 1), (4, 4, 0)
REVIEW_6, REVIEW_6_WASHOUT_12, SINGLE = (6, None, None), (6, 12, None), (None, None, 1)
ASA = (("acetylsalicylic acid", 50.0),)

ROWS = [
    Row(
        "dermatomyositis",
        "Ib",
        "A",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6_WASHOUT_12,
        True,
        "After 12 treatment cycles, a washout period should be attempted",
    ),
    Row(
        "polymyositis",
        "Ib",
        "A",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6_WASHOUT_12,
        True,
        "IVIg level of evidence I-b grade of recommendation A",
    ),
    Row(
        "inclusion-body-myositis",
        "Ib",
        "A",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6_WASHOUT_12,
        True,
        "All severe forms of dermatomyositis, inclusion body myositis or polymyositis",
    ),
    Row(
        "pemphigus-vulgaris",
        "III",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "pemphigus vulgaris (level of evidence III, grade of recommendation B)",
    ),
    Row(
        "pemphigus-foliaceus",
        "III",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "pemphigus foliaceus (level of evidence III, grade of recommendation B)",
    ),
    Row(
        "mucous-membrane-pemphigoid",
        "III",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "mucous membrane pemphigoid (level of evidence III, grade of recommendation B)",
    ),
    Row(
        "bullous-pemphigoid",
        "III",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "bullous pemphigoid (level of evidence III, grade of recommendation B)",
    ),
    Row(
        "epidermolysis-bullosa-acquisita",
        "IV",
        "C",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "epidermolysis bullosis acquisita (level of evidence IV, grade of recommendation C)",
    ),
    Row(
        "linear-iga-disease",
        "IV",
        "C",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "linear IgA disease (level of evidence IV, grade of recommendation C)",
    ),
    Row(
        "iga-pemphigus",
        "IV",
        "C",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "IgA pemphigus or paraneoplastic pemphigus (level of evidence IV, grade of recommendation",
    ),
    Row(
        "paraneoplastic-pemphigus",
        "IV",
        "C",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "Long-term therapy with IVIg is recommended only in rare cases.",
    ),
    Row(
        "kawasaki-disease",
        "Ia",
        "A",
        FIRST,
        2,
        ONE_DAY,
        ONE_CYCLE,
        SINGLE,
        False,
        f"Only 1 cycle in Kawasaki{ACUTE}s disease and TEN",
        adjuncts=ASA,
    ),
    Row(
        "wegener-granulomatosis",
        "Ia",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        f"Wegener{RIGHT_QUOTE}s granulomatosis (level of evidence I a, recommendation grade B)",
    ),
    Row(
        "polyarteritis-nodosa",
        "IV",
        "D",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "polyarteritis nodosa (level of evidence grade IV, recommendation grade D)",
    ),
    Row(
        "iga-vasculitis",
        "III",
        "D",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "IgA-associated vasculitis (level of evidence class III, recommendation grade D)",
    ),
    Row(
        "churg-strauss",
        "I",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "Churg-Strauss disease (level of evidence class I, recommendation grade B)",
    ),
    Row(
        "microscopic-polyangiitis",
        "Ia",
        "B",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "microscopic polyangiitis (level of evidence grade I a, recommendation grade B)",
    ),
    Row(
        "secondary-autoimmune-vasculitis",
        "III",
        "D",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "secondary autoimmune vasculitis (level of evidence class III, grade of recommendation",
    ),
    Row(
        "antiphospholipid-syndrome",
        "II",
        "C",
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "anti-phospholipid antibody syndrome (level of evidence in obstetric use II",
    ),
    Row(
        "systemic-lupus-erythematosus",
        "III",
        None,
        SECOND,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "Its use in systemic lupus erythematosus (evidence level III)",
    ),
    Row(
        "scleroderma",
        None,
        None,
        "no_recommendation",
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "scleroderma, in which no clear recommendation can be expressed",
    ),
    Row(
        "toxic-epidermal-necrolysis",
        "IIIb",
        "C",
        FIRST,
        3,
        TEN_DAYS,
        ONE_CYCLE,
        SINGLE,
        False,
        "A total dose of 3 g per kg body weight is generally recommended.",
    ),
    Row(
        "atopic-dermatitis",
        "III",
        None,
        LAST,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "Atopic dermatitis (evidence level III):",
    ),
    Row(
        "autoimmune-urticaria",
        "III",
        None,
        LAST,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "as a last resort in severe cases of autoimmunologically mediated urticaria",
    ),
    Row(
        "scleromyxoedema",
        "III",
        None,
        LAST,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "IVIg should be considered treatment of choice in refractory cases",
    ),
    Row(
        "pyoderma-gangrenosum",
        "III-IV",
        None,
        LAST,
        2,
        STD,
        CHRONIC,
        REVIEW_6,
        True,
        "Pyoderma gangraenosum (evidence level III-IV):",
    ),
]


def test_exactly_the_26_indications() -> None:
    assert list(GUIDELINE.indications) == SLUGS
    assert [row.slug for row in ROWS] == SLUGS


def test_version_is_pinned() -> None:
    assert GUIDELINE.version == "edf-eadv-2011.1"


@pytest.mark.parametrize("row", ROWS, ids=[row.slug for row in ROWS])
def test_indication_rules(row: Row) -> None:
    assert occurs_in_guideline(row.quote), row.quote
    ind = GUIDELINE.indication(row.slug)
    assert (ind.evidence.level, ind.evidence.grade) == (row.level, row.grade)
    assert ind.line.line == row.line
    assert ind.dose.g_per_kg == row.g_per_kg
    assert (ind.days.min, ind.days.default, ind.days.max) == row.days
    gap, long_term = ind.interval, ind.long_term
    assert (gap.initial_weeks, gap.max_weeks, gap.step_weeks) == row.interval
    review_washout_cycles = (
        long_term.review_at_cycle,
        long_term.washout_after_cycle,
        long_term.cycles_planned,
    )
    assert review_washout_cycles == row.long_term
    assert ind.single_cycle == (long_term.cycles_planned == 1)
    assert ind.adjuvant.immunosuppression_required == row.adjuvant
    assert tuple((a.drug, a.dose_mg_per_kg_per_day) for a in ind.adjuncts) == row.adjuncts


def _first_line(slug: str) -> tuple[str, ...]:
    return tuple(c.code for c in GUIDELINE.indication(slug).line.first_line_when)


def _second_line(slug: str) -> tuple[tuple[tuple[str, int | None, tuple[str, ...]], ...], ...]:
    return tuple(
        tuple((f.therapy, f.min_weeks, f.outcomes) for f in requirement.all_of)
        for requirement in GUIDELINE.indication(slug).line.second_line_after
    )


def _dose_range(slug: str) -> tuple[float, float, float | None]:
    dose = GUIDELINE.indication(slug).dose
    return dose.min_g_per_kg, dose.max_g_per_kg, dose.reduced_g_per_kg


def _lengthened(slug: str) -> tuple[tuple[str, int, bool], ...]:
    days = GUIDELINE.indication(slug).days
    return tuple((d.condition, d.days, d.lower_rate) for d in days.lengthened_by)


def _lower_rate(slug: str) -> tuple[str, ...]:
    return tuple(d.condition for d in GUIDELINE.indication(slug).lower_rate_when)


def _months(slug: str) -> tuple[int | None, int | None]:
    duration = GUIDELINE.indication(slug).initial_duration
    return duration.months_min, duration.months_max


FAILED = (
    "no_improvement",
    "flare_on_tapering",
    "side_effects",
    "severe_complications",
    "refractory",
)
IMPAIRMENT = (("renal_impairment", 5, True), ("cardiac_impairment", 5, True))
ORGANS = (("organ_involvement_kidney", 5, False), ("organ_involvement_heart", 5, False))
BLISTERING_CONTRAINDICATIONS = (
    "aseptic_bone_necrosis",
    "poorly_controlled_diabetes",
    "advanced_osteoporosis",
    "cataracts",
)
DM_SECOND_LINE = (
    (("systemic_steroids", 4, ("no_improvement",)),),
    (("systemic_steroids", None, ("flare_on_tapering",)),),
    (("systemic_steroids", None, ("side_effects",)),),
)

DETAILS = [
    (
        "dermatomyositis",
        _first_line,
        ("fulminant_course", "severe_myolysis", "paralysis"),
        "In patients with fulminant progressive courses, severe myolysis or paralysis",
    ),
    (
        "dermatomyositis",
        _second_line,
        DM_SECOND_LINE,
        "if steroid monotherapy has failed to produce an improvement after one month, or if "
        "reducing the steroid dose results in a flare-up of the disease, or if side-effects "
        "prevent further steroid medication",
    ),
    (
        "bullous-pemphigoid",
        _first_line,
        BLISTERING_CONTRAINDICATIONS,
        "(aseptic bone necrosis, poorly controlled diabetes or even advanced osteoporosis and "
        "cataracts)",
    ),
    (
        "pemphigus-vulgaris",
        _second_line,
        ((("systemic_steroids", None, FAILED), ("immunosuppressant", None, FAILED)),),
        "sufficient combination therapy with steroids (e.g. prednisolone 2 mg per kg body weight "
        "per day) and another immunosuppressive agent",
    ),
    (
        "kawasaki-disease",
        _first_line,
        ("always",),
        f"Only for Kawasaki{ACUTE}s syndrome is IVIg authorized as a first-line treatment.",
    ),
    (
        "kawasaki-disease",
        _dose_range,
        (1.6, 2, None),
        "1.6-2 g per kg body weight per treatment cycle",
    ),
    (
        "churg-strauss",
        _first_line,
        ("fulminant_course", "contraindication_to_immunosuppression"),
        "only after failure of immunosuppressive therapy or in the presence of contraindications",
    ),
    (
        "microscopic-polyangiitis",
        _dose_range,
        (1.0, 2, 1.0),
        "possibly a reduced dose should be used (e.g., a total of 1 g per kg body weight)",
    ),
    (
        "polyarteritis-nodosa",
        _lower_rate,
        ("organ_involvement_kidney",),
        "systemic vasculitis with renal involvement in particular, the infusion rate should be "
        "reduced",
    ),
    (
        "dermatomyositis",
        _dose_range,
        (2, 2, None),
        "strict adherence to the aforementioned dose recommendations is required",
    ),
    (
        "toxic-epidermal-necrolysis",
        _dose_range,
        (3, 3, None),
        "A total dose of 3 g per kg body weight",
    ),
    (
        "dermatomyositis",
        _lengthened,
        IMPAIRMENT,
        "In patients with cardiac or renal impairment, immunoglobulin preparations should be "
        "administered over a longer period of time.",
    ),
    (
        "systemic-lupus-erythematosus",
        _lengthened,
        IMPAIRMENT + ORGANS,
        "In the case of severe organ involvement such as kidney or heart involvement in "
        "particular, the treatment period should generally be increased to 5 days.",
    ),
    (
        "toxic-epidermal-necrolysis",
        _lengthened,
        (("renal_impairment", 5, True),),
        "Fractionated administration (over 3-5 days) is required, , particularly in the case of "
        "renal impairment",
    ),
    (
        "dermatomyositis",
        _months,
        (6, 6),
        "Initial treatment should be carried out over a period of 6 months",
    ),
    ("linear-iga-disease", _months, (3, 6), "initially for a period of between 3 and 6 months"),
    ("iga-vasculitis", _months, (3, 6), "a treatment period of 3-6 months is useful initially"),
    ("scleroderma", _months, (6, 6), "use is initially recommended over a period of 6 months"),
    (
        "toxic-epidermal-necrolysis",
        _months,
        (None, None),
        "Only one cycle of treatment is usually required in this condition",
    ),
]


@pytest.mark.parametrize(
    ("slug", "read", "expected", "quote"),
    DETAILS,
    ids=[f"{slug}-{read.__name__.strip('_')}" for slug, read, _, _ in DETAILS],
)
def test_rule_details(slug: str, read: object, expected: object, quote: str) -> None:
    assert occurs_in_guideline(quote), quote
    assert callable(read)
    assert read(slug) == expected


def test_toxic_epidermal_necrolysis_requires_a_confirmed_diagnosis() -> None:
    line = GUIDELINE.indication("toxic-epidermal-necrolysis").line
    assert line.requires_confirmed_diagnosis
    assert [c.code for c in line.first_line_when] == ["confirmed_diagnosis"]


def test_efficacy_measures_of_dermatomyositis_exclude_laboratory_markers() -> None:
    efficacy = GUIDELINE.indication("dermatomyositis").efficacy
    assert "muscle strength" in efficacy.measures
    assert {"creatine kinase", "aldolase"} <= set(efficacy.not_measures)
    assert efficacy.response_expected_from_cycle == 2
    assert GUIDELINE.indication("toxic-epidermal-necrolysis").efficacy.measures == (
        "onset of re-epithelialisation",
    )
