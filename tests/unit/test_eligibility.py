"""Eligibility rules, first on indications built in code, then over the real guideline data.

Every row quotes the guideline passage it checks; the quote must occur in the guideline
text (whitespace collapsed), so a row cannot drift from the words it claims to test.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivig_workflow import settings as app_settings
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.guideline.clinical_context import (
    ClinicalContext,
    Contraindication,
    Feature,
)
from ivig_workflow.domain.guideline.eligibility import Eligibility, assess_eligibility
from ivig_workflow.domain.guideline.model import Guideline, Outcome, Severity, Therapy
from ivig_workflow.loading.guideline import load_guideline
from tests.unit.eligibility_factories import (
    ISOLATED_CASES,
    SECOND_LINE,
    SEVERE_FORMS,
    STANDARD_THERAPY,
    STEROIDS_A_MONTH,
    criterion,
    make_indication,
    make_line,
)

GUIDELINE_TEXT = " ".join(
    (app_settings.REPO_ROOT / "config/guideline/edf-eadv-ivig-dermatology.txt")
    .read_text(encoding="utf-8")
    .split()
)


def assert_quoted(quote: str) -> None:
    assert " ".join(quote.split()) in GUIDELINE_TEXT, f"not in the guideline: {quote!r}"


def trial(therapy: str, weeks: int, outcome: str) -> dict[str, Any]:
    return {"therapy": therapy, "weeks": weeks, "outcome": outcome}


def steroids(weeks: int, outcome: str) -> dict[str, Any]:
    return trial("systemic_steroids", weeks, outcome)


STEROIDS_FAILED = trial("systemic_steroids", 8, "no_improvement")
MMF_FAILED = trial("immunosuppressant", 12, "refractory")
SEVERE: dict[str, Any] = {"severity": "severe", "concomitant_immunosuppression": True}


def kinds_and_codes(result: Eligibility) -> set[tuple[str, str]]:
    return {(reason.kind, reason.code) for reason in result.reasons}


# (line of therapy, indication options, context, verdict, line of use, reasons expected, quote)
ENGINE_ROWS = [
    pytest.param(
        {},
        {},
        {**SEVERE, "severity": "moderate"},
        "not_indicated",
        "none",
        {("blocker", "severity_insufficient")},
        "All severe forms of autoimmune diseases which are refractory to therapy",
        id="moderate-severity-falls-short",
    ),
    pytest.param(
        {},
        {},
        {**SEVERE, "severity": None, "therapies_tried": [STEROIDS_FAILED, MMF_FAILED]},
        "not_indicated",
        "none",
        {("blocker", "severity_insufficient")},
        "All severe forms of autoimmune diseases",
        id="unstated-severity-is-not-assumed",
    ),
    pytest.param(
        {"requires_severity": None},
        {},
        {**SEVERE, "severity": "mild", "therapies_tried": [STEROIDS_FAILED, MMF_FAILED]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "syndrome is IVIg authorized as a first-line treatment",
        id="no-severity-requirement",
    ),
    pytest.param(
        {"line": "no_recommendation"},
        {},
        SEVERE,
        "not_indicated",
        "none",
        {("blocker", "no_recommendation")},
        "no clear recommendation can be expressed",
        id="no-recommendation",
    ),
    pytest.param(
        {"line": "first", "requires_confirmed_diagnosis": True},
        {},
        SEVERE,
        "not_indicated",
        "none",
        {("blocker", "diagnosis_unconfirmed")},
        "IVIg must be administered as soon as possible after confirmation of the diagnosis",
        id="unconfirmed-diagnosis",
    ),
    pytest.param(
        {"line": "first", "requires_confirmed_diagnosis": True, "second_line_after": ()},
        {"immunosuppression_required": False},
        {"severity": "severe", "diagnosis_confirmed": True},
        "indicated",
        "first",
        {("reason", "confirmed_diagnosis"), ("reason", "monotherapy_allowed")},
        "IVIg treatment can then be administered as monotherapy in addition to intensive care",
        id="confirmed-diagnosis-at-once-as-monotherapy",
    ),
    pytest.param(
        {"line": "first", "second_line_after": ()},
        {"immunosuppression_required": False},
        {"severity": "severe"},
        "indicated",
        "first",
        {("reason", "first_line")},
        "disease is IVIg the treatment of first choice",
        id="first-line",
    ),
    pytest.param(
        {},
        {},
        {**SEVERE, "therapies_tried": [STEROIDS_FAILED]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "following sufficient combination therapy with steroids",
        id="steroids-alone-not-enough",
    ),
    pytest.param(
        {},
        {},
        {**SEVERE, "therapies_tried": [STEROIDS_FAILED, MMF_FAILED]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed"), ("reason", "adjuvant")},
        "and another immunosuppressive agent (e.g. mycophenolate mofetil)",
        id="steroids-plus-immunosuppressant-failed",
    ),
    pytest.param(
        {"second_line_after": (STEROIDS_A_MONTH,)},
        {},
        {**SEVERE, "therapies_tried": [trial("systemic_steroids", 3, "no_improvement")]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "failed to produce an improvement after one month",
        id="three-weeks-is-not-a-month",
    ),
    pytest.param(
        {"second_line_after": (STEROIDS_A_MONTH,)},
        {},
        {**SEVERE, "therapies_tried": [steroids(4, "no_improvement")]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "failed to produce an improvement after one month",
        id="four-weeks-is-a-month",
    ),
    pytest.param(
        {"second_line_after": (STEROIDS_A_MONTH,)},
        {},
        {**SEVERE, "therapies_tried": [trial("systemic_steroids", 10, "response")]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "failed to produce an improvement after one month",
        id="a-response-is-no-failure",
    ),
    pytest.param(
        {"first_line_when": (criterion("fulminant_course"),)},
        {},
        {**SEVERE, "features": ["fulminant_course"]},
        "indicated",
        "first",
        {("reason", "fulminant_course")},
        "In patients with fulminant progressive courses, severe myolysis or paralysis",
        id="fulminant-first-line",
    ),
    pytest.param(
        {"first_line_when": (criterion("cataracts", ISOLATED_CASES),)},
        {},
        {**SEVERE, "contraindications": ["cataracts"]},
        "indicated_with_warnings",
        "first",
        {("warning", "cataracts")},
        "may in isolated cases justify the use of IVIg as a first-line treatment",
        id="contraindication-first-line-warns",
    ),
    pytest.param(
        {"first_line_when": (criterion("cataracts", ISOLATED_CASES),)},
        {},
        {**SEVERE, "contraindications": ["other"]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "osteoporosis and cataracts) may in isolated cases",
        id="other-is-not-a-named-one",
    ),
    pytest.param(
        {"first_line_when": (criterion("contraindication_to_immunosuppression"),)},
        {},
        {**SEVERE, "contraindications": ["other"]},
        "indicated_with_warnings",
        "first",
        {("warning", "contraindication_to_immunosuppression")},
        "only after failure of immunosuppressive therapy or in the presence of contraindications",
        id="any-contraindication",
    ),
    pytest.param(
        {"second_line_after": (STANDARD_THERAPY,)},
        {},
        {**SEVERE, "therapies_tried": [MMF_FAILED]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "In patients who do not respond to standard therapy",
        id="immunosuppressant-is-standard",
    ),
    pytest.param(
        {"second_line_after": (STEROIDS_A_MONTH,)},
        {},
        {**SEVERE, "therapies_tried": [trial("standard_therapy", 8, "no_improvement")]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "if steroid monotherapy has failed",
        id="standard-therapy-is-not-steroids",
    ),
    pytest.param(
        {"line": "last_resort", "second_line_after": (STANDARD_THERAPY,)},
        {},
        {**SEVERE, "therapies_tried": [trial("standard_therapy", 12, "refractory")]},
        "indicated_with_warnings",
        "last_resort",
        {("warning", "last_resort")},
        "can also be considered as a last resort in severe cases",
        id="last-resort-warns",
    ),
    pytest.param(
        {"line": "last_resort", "second_line_after": (STANDARD_THERAPY,)},
        {},
        SEVERE,
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "considered as an option in severe refractory cases",
        id="last-resort-needs-failure",
    ),
    pytest.param(
        {},
        {},
        {
            **SEVERE,
            "concomitant_immunosuppression": False,
            "therapies_tried": [STEROIDS_FAILED, MMF_FAILED],
        },
        "indicated_with_warnings",
        "second",
        {("warning", "monotherapy")},
        "Monotherapy with immunoglobulin is not generally recommended",
        id="monotherapy-warns",
    ),
    pytest.param(
        {},
        {},
        {"severity": "severe", "therapies_tried": [STEROIDS_FAILED, MMF_FAILED]},
        "indicated_with_warnings",
        "second",
        {("warning", "immunosuppression_not_stated")},
        "IVIg is an adjuvant therapy which must be administered while continuing",
        id="unstated-immunosuppression-warns",
    ),
    pytest.param(
        {},
        {"grade": "C"},
        {**SEVERE, "therapies_tried": [STEROIDS_FAILED, MMF_FAILED]},
        "indicated",
        "second",
        {("reason", "weak_evidence")},
        "linear IgA disease (level of evidence IV, grade of recommendation C)",
        id="weak-evidence-informs-only",
    ),
    pytest.param(
        {},
        {"grade": None},
        {**SEVERE, "therapies_tried": [STEROIDS_FAILED, MMF_FAILED]},
        "indicated",
        "second",
        {("reason", "weak_evidence")},
        "Atopic dermatitis (evidence level III)",
        id="no-grade-informs-only",
    ),
]


@pytest.mark.parametrize(
    ("line", "options", "context", "verdict", "line_of_use", "expected", "quote"), ENGINE_ROWS
)
def test_engine_rules(
    line: dict[str, Any],
    options: dict[str, Any],
    context: dict[str, Any],
    verdict: str,
    line_of_use: str,
    expected: set[tuple[str, str]],
    quote: str,
) -> None:
    assert_quoted(quote)
    indication = make_indication(make_line(**line), **options)
    result = assess_eligibility(indication, ClinicalContext.from_mapping(context))
    assert (result.verdict, result.line_of_use) == (verdict, line_of_use)
    assert expected <= kinds_and_codes(result)


def test_severity_blocker_cites_the_severe_forms_passage() -> None:
    result = assess_eligibility(make_indication(), ClinicalContext(severity="mild"))
    [blocker] = [r for r in result.reasons if r.kind == "blocker"]
    assert blocker.citation == SEVERE_FORMS.cite()
    fallback = make_indication(make_line(with_severity_source=False))
    [blocker] = [
        r for r in assess_eligibility(fallback, ClinicalContext()).reasons if r.kind == "blocker"
    ]
    assert blocker.citation == SECOND_LINE.cite()


def test_blocker_names_what_must_have_failed_and_what_was_tried() -> None:
    line = make_line(first_line_when=(criterion("paralysis"),))
    context = ClinicalContext.from_mapping(
        {"severity": "severe", "therapies_tried": [trial("systemic_steroids", 2, "side_effects")]}
    )
    [blocker] = [
        r for r in assess_eligibility(make_indication(line), context).reasons if r.kind == "blocker"
    ]
    assert "systemic steroids with no improvement or refractory disease" in blocker.text
    assert "another immunosuppressant" in blocker.text
    assert "first-line use needs paralysis" in blocker.text
    assert "tried: systemic steroids 2 weeks, side effects" in blocker.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"severity": "very"}, "severity"),
        ({"features": ["fever"]}, "features"),
        ({"contraindications": ["gout"]}, "contraindications"),
        ({"therapies_tried": [trial("systemic_steroids", -1, "no_improvement")]}, "weeks"),
        ({"therapies_tried": [trial("aspirin", 1, "no_improvement")]}, "therapy"),
        ({"therapies_tried": [trial("systemic_steroids", 1, "better")]}, "outcome"),
        ({"patient_name": "x"}, "patient_name"),
    ],
)
def test_bad_context_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as raised:
        ClinicalContext.from_mapping(data)
    assert field in raised.value.field
    assert "\n" not in str(raised.value)


# --- the real guideline data -------------------------------------------------------

STEROIDS_AND_MMF = [STEROIDS_FAILED, MMF_FAILED]
REFRACTORY = [trial("standard_therapy", 12, "refractory")]
NO_WARNING = {("warning", "monotherapy"), ("warning", "immunosuppression_not_stated")}

# (slug, context, verdict, line of use, reasons expected, quote)
REAL_ROWS = [
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "therapies_tried": [steroids(4, "no_improvement")]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed"), ("reason", "adjuvant")},
        "if steroid monotherapy has failed to produce an improvement after one month",
        id="dm-steroids-a-month",
    ),
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "therapies_tried": [steroids(2, "no_improvement")]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "if steroid monotherapy has failed to produce an improvement after one month",
        id="dm-steroids-two-weeks",
    ),
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "therapies_tried": [steroids(6, "flare_on_tapering")]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "or if reducing the steroid dose results in a flare-up of the disease",
        id="dm-flare",
    ),
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "therapies_tried": [steroids(1, "side_effects")]},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "or if side-effects prevent further steroid medication",
        id="dm-side-effects",
    ),
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "features": ["fulminant_course"]},
        "indicated",
        "first",
        {("reason", "fulminant_course")},
        "In patients with fulminant progressive courses, severe myolysis or paralysis, "
        "first-line treatment with immunoglobulins may be justified",
        id="dm-fulminant",
    ),
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "features": ["severe_myolysis"]},
        "indicated",
        "first",
        {("reason", "severe_myolysis")},
        "severe myolysis or paralysis, first-line treatment",
        id="dm-severe-myolysis",
    ),
    pytest.param(
        "polymyositis",
        {**SEVERE, "features": ["paralysis"]},
        "indicated",
        "first",
        {("reason", "paralysis")},
        "severe myolysis or paralysis, first-line treatment",
        id="pm-paralysis",
    ),
    pytest.param(
        "dermatomyositis",
        {**SEVERE, "concomitant_immunosuppression": False, "therapies_tried": [STEROIDS_FAILED]},
        "indicated_with_warnings",
        "second",
        {("warning", "monotherapy")},
        "IVIg monotherapy has generally not proven effective",
        id="dm-monotherapy",
    ),
    pytest.param(
        "inclusion-body-myositis",
        {**SEVERE, "severity": "moderate", "features": ["paralysis"]},
        "not_indicated",
        "none",
        {("blocker", "severity_insufficient")},
        "All severe forms of dermatomyositis, inclusion body myositis or polymyositis represent "
        "indications",
        id="ibm-moderate",
    ),
    pytest.param(
        "pemphigus-vulgaris",
        {**SEVERE, "therapies_tried": [STEROIDS_FAILED]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "immunoglobulins should only be used as a second-line treatment following sufficient "
        "combination therapy with steroids",
        id="pv-steroids-only",
    ),
    pytest.param(
        "pemphigus-vulgaris",
        {**SEVERE, "therapies_tried": STEROIDS_AND_MMF},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "and another immunosuppressive agent (e.g. mycophenolate mofetil)",
        id="pv-steroids-mmf",
    ),
    pytest.param(
        "pemphigus-vulgaris",
        {**SEVERE, "contraindications": ["cataracts"]},
        "indicated_with_warnings",
        "first",
        {("warning", "cataracts")},
        "advanced osteoporosis and cataracts) may in isolated cases justify the use of IVIg as a "
        "first-line treatment",
        id="pv-cataracts",
    ),
    pytest.param(
        "pemphigus-vulgaris",
        {**SEVERE, "severity": "moderate", "therapies_tried": STEROIDS_AND_MMF},
        "not_indicated",
        "none",
        {("blocker", "severity_insufficient")},
        "All severe forms of autoimmune diseases which are refractory to therapy represent an "
        "indication",
        id="pv-moderate",
    ),
    pytest.param(
        "bullous-pemphigoid",
        {**SEVERE, "therapies_tried": STEROIDS_AND_MMF},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "may also be indicated in severe forms of bullous pemphigoid",
        id="bp-second-line",
    ),
    pytest.param(
        "bullous-pemphigoid",
        {**SEVERE, "contraindications": ["poorly_controlled_diabetes"]},
        "indicated_with_warnings",
        "first",
        {("warning", "poorly_controlled_diabetes")},
        "aseptic bone necrosis, poorly controlled diabetes",
        id="bp-diabetes",
    ),
    pytest.param(
        "linear-iga-disease",
        {**SEVERE, "therapies_tried": STEROIDS_AND_MMF},
        "indicated",
        "second",
        {("reason", "weak_evidence")},
        "linear IgA disease (level of evidence IV, grade of recommendation C)",
        id="lad-grade-c",
    ),
    pytest.param(
        "kawasaki-disease",
        {},
        "indicated",
        "first",
        {("reason", "first_line")},
        "disease is IVIg the treatment of first choice",
        id="kawasaki",
    ),
    pytest.param(
        "toxic-epidermal-necrolysis",
        {"severity": "severe", "diagnosis_confirmed": True, "concomitant_immunosuppression": False},
        "indicated",
        "first",
        {("reason", "confirmed_diagnosis"), ("reason", "monotherapy_allowed")},
        "IVIg treatment can then be administered as monotherapy in addition to intensive care",
        id="ten-confirmed",
    ),
    pytest.param(
        "toxic-epidermal-necrolysis",
        {"severity": "severe"},
        "not_indicated",
        "none",
        {("blocker", "diagnosis_unconfirmed")},
        "IVIg must be administered as soon as possible after confirmation of the diagnosis",
        id="ten-unconfirmed",
    ),
    pytest.param(
        "scleroderma",
        {**SEVERE, "therapies_tried": STEROIDS_AND_MMF},
        "not_indicated",
        "none",
        {("blocker", "no_recommendation")},
        "in which no clear recommendation can be expressed",
        id="scleroderma",
    ),
    pytest.param(
        "atopic-dermatitis",
        {**SEVERE, "therapies_tried": REFRACTORY},
        "indicated_with_warnings",
        "last_resort",
        {("warning", "last_resort"), ("reason", "weak_evidence")},
        "in cases which are refractory to treatment",
        id="ad-last-resort",
    ),
    pytest.param(
        "atopic-dermatitis",
        SEVERE,
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "should definitely be considered in the most severe forms of atopic eczema",
        id="ad-nothing-tried",
    ),
    pytest.param(
        "autoimmune-urticaria",
        {**SEVERE, "therapies_tried": REFRACTORY},
        "indicated_with_warnings",
        "last_resort",
        {("warning", "last_resort")},
        "can also be considered as a last resort in severe cases",
        id="urticaria-last-resort",
    ),
    pytest.param(
        "pyoderma-gangrenosum",
        {**SEVERE, "therapies_tried": REFRACTORY},
        "indicated_with_warnings",
        "last_resort",
        {("warning", "last_resort")},
        "can be considered as an option in severe refractory cases",
        id="pg-last-resort",
    ),
    pytest.param(
        "systemic-lupus-erythematosus",
        {**SEVERE, "therapies_tried": STEROIDS_AND_MMF},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed"), ("reason", "weak_evidence")},
        "Previous combination treatment with steroids and another immunosuppressive associated "
        "with a poor response or severe complications",
        id="sle-second-line",
    ),
    pytest.param(
        "systemic-lupus-erythematosus",
        {**SEVERE, "therapies_tried": [STEROIDS_FAILED]},
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "The use of IVIg is not generally a first-line treatment option",
        id="sle-steroids-only",
    ),
    pytest.param(
        "wegener-granulomatosis",
        {**SEVERE, "therapies_tried": STEROIDS_AND_MMF},
        "indicated",
        "second",
        {("reason", "prior_therapy_failed")},
        "only after failure of immunosuppressive therapy",
        id="wegener-second-line",
    ),
    pytest.param(
        "wegener-granulomatosis",
        {**SEVERE, "features": ["fulminant_course"]},
        "indicated",
        "first",
        {("reason", "fulminant_course")},
        "particularly fulminant progressive disease form with multiple complications",
        id="wegener-fulminant",
    ),
    pytest.param(
        "polyarteritis-nodosa",
        {**SEVERE, "contraindications": ["other"]},
        "indicated_with_warnings",
        "first",
        {("warning", "contraindication_to_immunosuppression"), ("reason", "weak_evidence")},
        "or in the presence of contraindications",
        id="pan-contraindication",
    ),
    pytest.param(
        "iga-vasculitis",
        SEVERE,
        "not_indicated",
        "none",
        {("blocker", "prior_therapy_required")},
        "only after failure of immunosuppressive therapy",
        id="iga-vasculitis-nothing-tried",
    ),
]


@pytest.fixture(scope="module")
def guideline() -> Guideline:
    return load_guideline()


@pytest.mark.parametrize(
    ("slug", "context", "verdict", "line_of_use", "expected", "quote"), REAL_ROWS
)
def test_real_guideline(
    guideline: Guideline,
    slug: str,
    context: dict[str, Any],
    verdict: str,
    line_of_use: str,
    expected: set[tuple[str, str]],
    quote: str,
) -> None:
    assert_quoted(quote)
    result = assess_eligibility(guideline.indication(slug), ClinicalContext.from_mapping(context))
    assert (result.verdict, result.line_of_use) == (verdict, line_of_use)
    assert expected <= kinds_and_codes(result)
    if verdict == "indicated":
        assert not NO_WARNING & kinds_and_codes(result)


# --- properties over the real data -------------------------------------------------

CONTEXTS = st.fixed_dictionaries(
    {
        "severity": st.sampled_from([None, *get_args(Severity)]),
        "diagnosis_confirmed": st.booleans(),
        "features": st.frozensets(st.sampled_from(get_args(Feature))),
        "contraindications": st.frozensets(st.sampled_from(get_args(Contraindication))),
        "therapies_tried": st.lists(
            st.builds(
                trial,
                st.sampled_from(get_args(Therapy)),
                st.integers(0, 60),
                st.sampled_from(get_args(Outcome)),
            ),
            max_size=3,
        ),
        "concomitant_immunosuppression": st.sampled_from([None, True, False]),
    }
)
SLUGS = st.sampled_from(sorted(load_guideline().indications))
RANK = {"not_indicated": 0, "indicated_with_warnings": 1, "indicated": 2}


def quoted_in_citation(citation: str) -> str:
    return citation.split(': "', 1)[1].removesuffix('"')


@settings(max_examples=300)
@given(slug=SLUGS, data=CONTEXTS)
def test_verdict_follows_from_reasons_each_citing_the_guideline(
    slug: str, data: dict[str, Any]
) -> None:
    result = assess_eligibility(load_guideline().indication(slug), ClinicalContext(**data))
    kinds = {reason.kind for reason in result.reasons}
    assert ("blocker" in kinds) == (result.verdict == "not_indicated")
    assert (result.line_of_use == "none") == (result.verdict == "not_indicated")
    if result.verdict == "indicated_with_warnings":
        assert "warning" in kinds
    for reason in result.reasons:
        assert_quoted(quoted_in_citation(reason.citation))


@settings(max_examples=300)
@given(slug=SLUGS, data=CONTEXTS, extra=CONTEXTS)
def test_more_failed_therapy_or_features_never_make_it_less_indicated(
    slug: str, data: dict[str, Any], extra: dict[str, Any]
) -> None:
    indication = load_guideline().indication(slug)
    before = assess_eligibility(indication, ClinicalContext(**data))
    richer = {
        **data,
        "features": data["features"] | extra["features"],
        "therapies_tried": data["therapies_tried"] + extra["therapies_tried"],
        "diagnosis_confirmed": data["diagnosis_confirmed"] or extra["diagnosis_confirmed"],
    }
    after = assess_eligibility(indication, ClinicalContext(**richer))
    assert RANK[after.verdict] >= RANK[before.verdict]
    continued = assess_eligibility(
        indication, ClinicalContext(**{**richer, "concomitant_immunosuppression": True})
    )
    assert RANK[continued.verdict] >= RANK[after.verdict]
