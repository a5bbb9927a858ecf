"""Synthetic courses across the indication groups, under pseudonymous references.

Seeded, so every run of the demo tells the same story; references look like
`DEMO-0001` and carry nothing about a person.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ivig_workflow.service.courses import StartCourse

# One or more indications from each group of the guideline, with a plausible weight.
INDICATIONS: tuple[tuple[str, float], ...] = (
    ("dermatomyositis", 72),
    ("pemphigus-vulgaris", 68),
    ("bullous-pemphigoid", 64),
    ("mucous-membrane-pemphigoid", 70),
    ("wegener-granulomatosis", 80),
    ("systemic-lupus-erythematosus", 61),
    ("toxic-epidermal-necrolysis", 75),
    ("kawasaki-disease", 18),
    ("pyoderma-gangrenosum", 77),
    ("scleromyxoedema", 69),
)


def demo_cohort(count: int, first_day: date, last_day: date, seed: int = 7) -> list[StartCourse]:
    """`count` course starts spread between two dates, each a different reference."""
    chance = random.Random(seed)
    span = max((last_day - first_day).days, 1)
    starts = []
    for number in range(1, count + 1):
        indication, weight = INDICATIONS[(number - 1) % len(INDICATIONS)]
        starts.append(
            StartCourse(
                patient_ref=f"DEMO-{number:04d}",
                indication=indication,
                start_date=first_day + timedelta(days=chance.randrange(span)),
                weight_kg=round(weight * chance.uniform(0.85, 1.15), 1),
                actor="demo",
            )
        )
    return starts
