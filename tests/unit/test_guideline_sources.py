"""Every rule of the encoded guideline quotes the guideline word for word.

The quote is what a pharmacist checks a rule against, so a paraphrase or a typo
would break the traceability the whole system promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from ivig_workflow import settings
from ivig_workflow.domain.guideline.model import Guideline, Indication, Source
from ivig_workflow.loading.guideline import load_guideline

GUIDELINE_TEXT_PATH = settings.REPO_ROOT / "config" / "guideline" / "edf-eadv-ivig-dermatology.txt"
SECTIONS = {
    "Dermatomyositis",
    "Autoimmune blistering diseases",
    "Vasculitic syndromes",
    "Lupus erythematodes, and other collagen vascular diseases",
    "Toxic epidermal necrolysis",
    "Other possible treatment indications",
    "Table 1",
    "Table 2",
}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


GUIDELINE_TEXT = collapse(GUIDELINE_TEXT_PATH.read_text(encoding="utf-8"))


def occurs_in_guideline(quote: str) -> bool:
    return collapse(quote) in GUIDELINE_TEXT


def sources_in(value: object, path: str) -> Iterator[tuple[str, Source]]:
    """Every Source reachable from a model, with the path that leads to it."""
    if isinstance(value, Source):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from sources_in(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from sources_in(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from sources_in(item, f"{path}[{key}]")


GUIDELINE: Guideline = load_guideline(settings.REPO_ROOT / "config")
ALL_SOURCES = list(sources_in(GUIDELINE.indications, "indications"))


def test_every_indication_has_a_source_for_each_of_its_rules() -> None:
    per_indication = {slug: list(sources_in(i, slug)) for slug, i in GUIDELINE.indications.items()}
    # evidence, line, initial duration, interval, dose, days, efficacy, long term, adjuvant
    assert all(len(sources) >= 9 for sources in per_indication.values())


@pytest.mark.parametrize(("path", "source"), ALL_SOURCES, ids=[p for p, _ in ALL_SOURCES])
def test_source_quote_occurs_verbatim_in_the_guideline(path: str, source: Source) -> None:
    assert occurs_in_guideline(source.quote), f"{path}: {source.quote!r} is not in the guideline"


@pytest.mark.parametrize(("path", "source"), ALL_SOURCES, ids=[p for p, _ in ALL_SOURCES])
def test_source_section_is_a_guideline_heading(path: str, source: Source) -> None:
    assert source.section in SECTIONS
    assert occurs_in_guideline(source.section)


def test_numbered_items_belong_to_the_sections_that_number_them() -> None:
    unnumbered = {"Other possible treatment indications", "Table 1", "Table 2"}
    for path, source in ALL_SOURCES:
        assert (source.item is None) == (source.section in unnumbered) or (
            # The dermatomyositis evidence table follows item 8 and has no number.
            source.section == "Dermatomyositis" and path.endswith("evidence.source")
        ), path


def test_citation_names_the_section_item_and_quote() -> None:
    indication: Indication = GUIDELINE.indication("toxic-epidermal-necrolysis")
    assert indication.dose.source.cite() == (
        "EDF/EADV IVIg guideline, Toxic epidermal necrolysis, item 4: "
        '"A total dose of 3 g per kg body weight is generally recommended."'
    )


def test_a_paraphrase_is_not_taken_for_a_quote() -> None:
    # Guards the checker itself: the guideline's spelling must be kept.
    assert occurs_in_guideline("epidermolysis bullosis acquisita")
    assert not occurs_in_guideline("epidermolysis bullosa acquisita")
    assert occurs_in_guideline("Only 1 cycle in Kawasaki\u00b4s disease and TEN")
    assert not occurs_in_guideline("Only 1 cycle in Kawasaki's disease and TEN")
