"""One date's chairs and nurses as the greedy pass fills them.

A chair is busy from a patient's start to the end of the turnover after them; the
nurses count patients infusing at that moment. Times are minutes after midnight.
"""

from __future__ import annotations

from ivig_workflow.scheduling.problem import DayCapacity


class DayBoard:
    def __init__(self, capacity: DayCapacity, slot: int, morning_starts: int = 1_000) -> None:
        self.capacity = capacity
        self.slot = slot
        self.morning_starts = morning_starts
        self.chairs: list[list[tuple[int, int]]] = [[] for _ in range(capacity.chairs)]
        self.infusing: list[tuple[int, int]] = []

    def book(self, chair: int, start: int, minutes: int) -> None:
        self.chairs[chair - 1].append((start, start + minutes + self.capacity.turnover))
        self.infusing.append((start, start + minutes))

    def chair_free(self, chair: int, start: int, end: int) -> bool:
        return all(
            end <= busy_start or busy_end <= start
            for busy_start, busy_end in self.chairs[chair - 1]
        )

    def nurses_free(self, start: int, end: int) -> bool:
        """Fewer patients than the limit at every moment of [start, end)."""
        overlapping = [(s, e) for s, e in self.infusing if s < end and start < e]
        # The count only rises at a start, so checking each start inside the span suffices.
        moments = [start, *(s for s, _ in overlapping if s > start)]
        return all(
            sum(1 for s, e in overlapping if s <= moment < e) < self.capacity.patients_at_once
            for moment in moments
        )

    def earliest_fit(self, minutes: int) -> tuple[int, int] | None:
        """(chair, start) of the earliest slot a chair and a nurse are free for `minutes`.

        A smooth morning ramp: once `morning_starts` patients start in the first hour,
        later slots are tried first, and the first hour again only if nothing else fits.
        """
        cap = self.capacity
        first_hour = sum(1 for s, _ in self.infusing if s < cap.opens + 60)
        if first_hour >= self.morning_starts:
            later = self._fit(minutes, cap.opens + 60)
            if later is not None:
                return later
        return self._fit(minutes, cap.opens)

    def _fit(self, minutes: int, not_before: int) -> tuple[int, int] | None:
        cap = self.capacity
        first = -(-not_before // self.slot) * self.slot
        for start in range(first, cap.closes - minutes + 1, self.slot):
            if not self.nurses_free(start, start + minutes):
                continue
            for chair in range(1, cap.chairs + 1):
                if self.chair_free(chair, start, start + minutes + cap.turnover):
                    return chair, start
        return None

    def booked_minutes(self) -> int:
        return sum(e - s for s, e in self.infusing)
