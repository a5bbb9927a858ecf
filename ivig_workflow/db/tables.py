"""Every table of the application, in one place, as SQLModel classes.

Rows are persistence shapes, not the domain: the repository maps a domain course to
`CourseRow` and its children. Instants are `UtcDateTime` (aware UTC on both
databases), calendar dates are plain dates in the centre's time zone, and enums are
stored by value. Alembic autogenerates from this module, and a test asserts that
the migrations never drift from it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ivig_workflow.db.statuses import (
    CourseState,
    CycleStatus,
    InboxStatus,
    OutboxStatus,
    WorkItemStatus,
)
from ivig_workflow.db.types import EnumByValue, UtcDateTime

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop a
# constraint by name on PostgreSQL with the same migration script.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REF = 64  # pseudonymous references, slugs, keys of events and effects
UUID = 36


class Patient(SQLModel, table=True):
    __tablename__ = "patients"

    id: int | None = Field(default=None, primary_key=True)
    # A pseudonymous reference issued by the hospital, never a name.
    ref: str = Field(max_length=REF, unique=True)
    created_at: datetime = Field(sa_type=UtcDateTime)


class CentreRow(SQLModel, table=True):
    __tablename__ = "centres"

    slug: str = Field(max_length=REF, primary_key=True)
    name: str = Field(max_length=200)
    time_zone: str = Field(max_length=REF)
    country: str = Field(max_length=8)


# Module-level so that the mapper can name it as the version counter: SQLAlchemy
# then adds "AND version = :old" to every UPDATE and raises StaleDataError when a
# concurrent writer got there first.
_course_version = Column("version", Integer, nullable=False)


class CourseRow(SQLModel, table=True):
    __tablename__ = "courses"
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _course_version}
    # The sweep reads due courses in (next_due_at, id) order, and courses released at
    # one local midnight share their instant: with the id in the index the order is
    # the index's own (no sort of each instant's group per batch) and the claim reads
    # the index alone. It serves `next_due_at <= now` on its own as well.
    __table_args__ = (Index("ix_courses_next_due_at_id", "next_due_at", "id"),)

    id: str = Field(max_length=UUID, primary_key=True)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    centre_slug: str = Field(max_length=REF, foreign_key="centres.slug")
    indication: str = Field(max_length=REF)
    guideline_version: str = Field(max_length=REF)
    state: CourseState = Field(sa_type=EnumByValue(CourseState), index=True)
    state_before_hold: CourseState | None = Field(default=None, sa_type=EnumByValue(CourseState))
    state_after_decision: CourseState | None = Field(default=None, sa_type=EnumByValue(CourseState))
    series: int = 1
    cycles_in_series_completed: int = 0
    cycles_completed: int = 0
    interval_weeks: int
    weight_kg: float
    height_cm: float | None = None
    egfr: float | None = None
    measured_at: datetime = Field(sa_type=UtcDateTime)
    dose_options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The command that opened the course and when: with the transition log's steps
    # it is all a replay needs to rebuild the course.
    start: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    started_at: datetime = Field(sa_type=UtcDateTime)
    last_relapse_check_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    next_relapse_check_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The sweep selects courses through an index on it only (`ix_courses_next_due_at_id`),
    # so its cost follows the work that is due rather than the number of courses.
    next_due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    version: int | None = Field(default=None, sa_column=_course_version)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    # The whole course as JSON, written with its rows in the same transaction, so that
    # loading parses one value instead of rebuilding the history (`db.course_snapshot`).
    # A copy, never the record: NULL or of another format or version, the rows are read.
    snapshot: str | None = Field(default=None, sa_type=Text)


class CycleRow(SQLModel, table=True):
    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (course_id, number) serves lookups by course.
    course_id: str = Field(max_length=UUID, foreign_key="courses.id")
    number: int  # counted over the whole course
    series: int
    number_in_series: int
    planned_start: date
    planned_days: list[str] = Field(default_factory=list, sa_type=JSON)  # ISO dates
    # The dose as planned from the latest weight: grams and vials per day, product.
    plan: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: CycleStatus = Field(sa_type=EnumByValue(CycleStatus))
    released_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Held before release for a physician's confirmation (severe renal impairment), and
    # the confirmation: who, why, when, against which eGFR.
    release_held_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    release_confirmation: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # Departures of the given days from the plan, each with its acknowledgement
    # (`domain.deviation.Deviation` as JSON): read with the cycle, never on their own.
    deviations: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # Where the course planned the cycle before the chair scheduler moved it (NULL:
    # never moved); the scheduler's window stays around it (`cycle.rescheduled`).
    target_start: date | None = None
    moves: int = 0  # how often the scheduler moved it (effect keys carry it)


class InfusionDayRow(SQLModel, table=True):
    __tablename__ = "infusion_days"
    __table_args__ = (UniqueConstraint("cycle_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (cycle_id, day) serves lookups by cycle.
    cycle_id: int = Field(foreign_key="cycles.id")
    day: int
    date: date
    dose_g: float
    product: str = Field(max_length=REF)
    lot_numbers: list[str] = Field(default_factory=list, sa_type=JSON)
    event_key: str | None = Field(default=None, max_length=200)


class InboxRow(SQLModel, table=True):
    """Every ward event as it arrived, whatever became of it."""

    __tablename__ = "inbox"

    id: int | None = Field(default=None, primary_key=True)
    # The sender's idempotency key: the unique index is what makes a redelivery a
    # duplicate even when two workers receive it at once.
    key: str = Field(max_length=200, unique=True)
    # No foreign key: an event naming an unknown course is still stored.
    course_id: str | None = Field(default=None, max_length=UUID, index=True)
    type: str | None = Field(default=None, max_length=REF)
    raw: str = Field(sa_type=Text)  # verbatim, even when unparseable
    received_at: datetime = Field(sa_type=UtcDateTime)
    status: InboxStatus = Field(sa_type=EnumByValue(InboxStatus))
    reason: str | None = Field(default=None, sa_type=Text)
    state_after: CourseState | None = Field(default=None, sa_type=EnumByValue(CourseState))
    actor: str | None = Field(default=None, max_length=REF)


class TransitionLogRow(SQLModel, table=True):
    """Append-only: why each state change happened, with the guideline passage."""

    __tablename__ = "transition_log"
    __table_args__ = (UniqueConstraint("course_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: str = Field(max_length=UUID, foreign_key="courses.id")
    seq: int  # 1, 2, ... per course; the unique pair stops two writers interleaving
    # The decision this row belongs to (one event or sweep may take several steps);
    # replaying the distinct steps in order rebuilds the course.
    step: int
    from_state: CourseState | None = Field(default=None, sa_type=EnumByValue(CourseState))
    to_state: CourseState = Field(sa_type=EnumByValue(CourseState))
    trigger: str = Field(max_length=REF)  # the event type, or "tick"
    event_key: str | None = Field(default=None, max_length=200)
    at: datetime = Field(sa_type=UtcDateTime)
    rule: str = Field(sa_type=Text)
    citation: str | None = Field(default=None, sa_type=Text)
    actor: str | None = Field(default=None, max_length=REF)
    reason: str | None = Field(default=None, sa_type=Text)  # the physician's why, if any


class WorkItemRow(SQLModel, table=True):
    __tablename__ = "work_items"
    __table_args__ = (Index("ix_work_items_worklist", "role", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # the effect's key: emitted once
    # Nullable: a refused event for an unknown course still raises work for operators.
    course_id: str | None = Field(
        default=None, max_length=UUID, foreign_key="courses.id", index=True
    )
    role: str = Field(max_length=REF)
    kind: str = Field(max_length=REF)
    title: str = Field(sa_type=Text)
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    status: WorkItemStatus = Field(sa_type=EnumByValue(WorkItemStatus))
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    closed_by: str | None = Field(default=None, max_length=REF)
    close_reason: str | None = Field(default=None, sa_type=Text)


class OutboxRow(SQLModel, table=True):
    """Notifications written with the state change and delivered at least once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_dispatch", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    course_id: str | None = Field(default=None, max_length=UUID, foreign_key="courses.id")
    role: str = Field(max_length=REF)
    subject: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UtcDateTime)
    status: OutboxStatus = Field(sa_type=EnumByValue(OutboxStatus))
    attempts: int = 0
    # Indexed through ix_outbox_dispatch (status first), the dispatcher's query.
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)


class ApiTokenRow(SQLModel, table=True):
    """A sending system's bearer token: only its SHA-256 is kept, never the token."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=REF, unique=True)  # the sender, recorded as actor
    hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # What the token may do (ward, read, admin) and for which centres (["*"]: all).
    # Tokens made before scopes existed were global: the migration makes them admin.
    role: str = Field(default="ward", max_length=16)
    centres: list[str] = Field(default_factory=lambda: ["*"], sa_type=JSON)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # None: never
    # After a rotation the old secret works until `previous_valid_until`, so that a
    # ward system can switch without a gap.
    previous_hash: str | None = Field(default=None, max_length=64)
    previous_valid_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiTokenAuditRow(SQLModel, table=True):
    """Append-only: who created, rotated or revoked which token, when, with what scope."""

    __tablename__ = "api_token_audit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=REF, index=True)
    action: str = Field(max_length=16)  # created, rotated, revoked
    at: datetime = Field(sa_type=UtcDateTime)
    by: str = Field(max_length=REF)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class PrefectEventCursor(SQLModel, table=True):
    """How far the relay has emitted the transition log to Prefect; moves only after a
    successful emit, so a Prefect server that is down delays events but loses none."""

    __tablename__ = "prefect_event_cursor"

    name: str = Field(max_length=REF, primary_key=True)
    last_transition_id: int = 0
    updated_at: datetime = Field(sa_type=UtcDateTime)


class ReceivedMessageRow(SQLModel, table=True):
    """A hospital message (FHIR, HL7 v2) or a batch exactly as it arrived, whatever became of
    it; the ward events it carried go through the inbox as usual."""

    __tablename__ = "received_messages"

    id: int | None = Field(default=None, primary_key=True)
    format: str = Field(max_length=REF)  # fhir, hl7v2, batch
    raw: str = Field(sa_type=Text)
    received_at: datetime = Field(sa_type=UtcDateTime)
    sender: str | None = Field(default=None, max_length=REF)
    outcome: str = Field(max_length=REF)  # accepted, refused, invalid
    reason: str | None = Field(default=None, sa_type=Text)
    event_keys: list[str] = Field(default_factory=list, sa_type=JSON)


class BookingRow(SQLModel, table=True):
    """One cycle day in one chair of a centre, as the chair scheduler placed it.

    `date`, `start_time` and `end_time` are the centre's local calendar date and wall
    clock (a chair booked at 08:00 is 08:00 at the centre in summer and winter);
    the instant is `date` + time in the centre's zone. The unique key stops two
    bookings taking the same chair at the same start, even from two writers; a
    re-plan deletes the rows it replaces (cancelled ones included) before writing.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("centre_slug", "date", "chair", "start_time"),
        Index("ix_bookings_centre_date", "centre_slug", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: str = Field(max_length=UUID, foreign_key="courses.id", index=True)
    cycle: int  # the cycle's number over the whole course
    day: int  # 1-based day of the cycle
    centre_slug: str = Field(max_length=REF)
    date: date
    chair: int  # 1-based
    start_time: time
    end_time: time
    status: str = Field(max_length=16)  # booked, cancelled
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class ChairReplanMarkRow(SQLModel, table=True):
    """A change that freed or needs chairs at a centre, waiting for its re-plan.

    Written in the transaction of the course step (append-only, so concurrent steps
    never wait on one another); the re-plan deletes the marks it has seen. Empty when
    nothing waits, so the clock's check is one indexed select of nothing.
    """

    __tablename__ = "chair_replan_marks"

    id: int | None = Field(default=None, primary_key=True)
    centre_slug: str = Field(max_length=REF, index=True)
    needed_from: date  # the earliest day the change touches, at the centre
    marked_at: datetime = Field(sa_type=UtcDateTime)
    why: str = Field(max_length=500)


class ChairReplanRow(SQLModel, table=True):
    """When each centre's chairs were last planned: re-plans after changes are spaced
    by `scheduling.replan_min_minutes` (config/centres.yaml)."""

    __tablename__ = "chair_replans"

    centre_slug: str = Field(max_length=REF, primary_key=True)
    planned_at: datetime = Field(sa_type=UtcDateTime)
