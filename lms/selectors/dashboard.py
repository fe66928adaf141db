"""An educator's view of one class: learners by assigned modules, hard questions, activity.

The number of queries does not depend on the size of the class: progress, answers and
activity are read with one query each for the whole class (or for each chunk of learners,
when exporting a large class as CSV).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone

from lms.models import Assignment, Classroom, Learner, LearnerEvent, LessonProgress, QuestionAttempt
from lms.selectors.assignments import ActivityProgress, activity_progress, progress_sets
from lms.selectors.outline import OutlineNode, course_outlines, outline_index
from lms.selectors.progress import Status

CHART_DAYS = 30
EXPORT_CHUNK = 500


@dataclass(frozen=True)
class Column:
    assignment: Assignment
    node: OutlineNode
    targets: frozenset[int]  # empty: the whole class


@dataclass(frozen=True)
class Row:
    learner: Learner
    cells: list[ActivityProgress | None]  # None: not assigned to this learner
    last_active: datetime | None

    def count(self, status: Status) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.status == status)

    @property
    def overdue(self) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.overdue)

    @property
    def behind(self) -> tuple:
        """Most behind first: more overdue, more not started, less done, longer away."""
        assigned = [cell for cell in self.cells if cell is not None]
        done = sum(cell.percent for cell in assigned) / len(assigned) if assigned else 100
        seen = self.last_active.timestamp() if self.last_active else float("-inf")
        return (-self.overdue, -self.count(Status.NOT_STARTED), done, seen)


@dataclass(frozen=True)
class QuestionStat:
    lesson: OutlineNode
    prompt: str
    attempts: int
    right: int
    learners: int

    @property
    def success_percent(self) -> int:
        return round(100 * self.right / self.attempts) if self.attempts else 0


@dataclass(frozen=True)
class AssignmentSummary:
    """One assignment at a glance: how many of its learners are where, and what is hard."""

    column: Column
    completed: int
    in_progress: int
    not_started: int
    overdue: int
    hardest: QuestionStat | None

    @property
    def total(self) -> int:
        return self.completed + self.in_progress + self.not_started


@dataclass(frozen=True)
class ClassDashboard:
    classroom: Classroom
    columns: list[Column]
    rows: list[Row]  # by name
    hardest_questions: list[QuestionStat]
    completions_by_day: list[tuple[date, int]]
    summaries: list[AssignmentSummary]

    @property
    def rows_behind_first(self) -> list[Row]:
        return sorted(self.rows, key=lambda row: row.behind)

    @property
    def completions_by_week(self) -> list[tuple[date, int]]:
        """The last four weeks (the newest first), as (first day, lessons completed)."""
        days = self.completions_by_day
        weeks = [days[max(0, end - 7) : end] for end in range(len(days), 0, -7)][:4]
        return [(week[0][0], sum(count for _day, count in week)) for week in weeks if week]


def class_members(classroom: Classroom):
    return (
        Learner.objects.filter(memberships__classroom=classroom)
        .select_related("user")
        .order_by("display_name", "user__username", "pk")
    )


def dashboard_columns(
    classroom: Classroom, language: str, request: HttpRequest | None = None
) -> list[Column]:
    index = outline_index(course_outlines(language=language, request=request))
    position = {key: number for number, key in enumerate(index)}  # curriculum order
    columns = []
    for assignment in classroom.assignments.select_related("assigned_by").prefetch_related(
        "learners"
    ):
        node = index.get(str(assignment.activity_key))
        if node is not None:
            targets = frozenset(learner.pk for learner in assignment.learners.all())
            columns.append(Column(assignment=assignment, node=node, targets=targets))
    columns.sort(key=lambda column: (position[column.node.key], column.assignment.created_at))
    return columns


def dashboard_rows(
    learners: list[Learner], columns: list[Column], today: date | None = None
) -> list[Row]:
    """One row per learner with their progress through each assigned module (3 queries)."""
    today = today or timezone.localdate()
    ids = [learner.pk for learner in learners]
    sets = progress_sets(ids)
    last_active = dict(
        LearnerEvent.objects.filter(learner_id__in=ids)
        .values("learner_id")
        .annotate(last=Max("occurred_at"))
        .values_list("learner_id", "last")
    )
    rows = []
    for learner in learners:
        mine = sets[learner.pk]
        cells = [
            activity_progress(
                column.node,
                mine.completed_lessons,
                mine.started_lessons,
                mine.completed_activities,
                column.assignment.due_on,
                today,
            )
            if not column.targets or learner.pk in column.targets
            else None
            for column in columns
        ]
        rows.append(Row(learner=learner, cells=cells, last_active=last_active.get(learner.pk)))
    return rows


def class_dashboard(
    *,
    classroom: Classroom,
    language: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> ClassDashboard:
    today = today or timezone.localdate()
    columns = dashboard_columns(classroom, language, request)
    learners = list(class_members(classroom))
    rows = dashboard_rows(learners, columns, today)
    questions = _question_stats(classroom, columns)
    return ClassDashboard(
        classroom=classroom,
        columns=columns,
        rows=rows,
        hardest_questions=questions[:HARDEST_SHOWN],
        completions_by_day=_completions_by_day(classroom, today),
        summaries=[
            _summary(number, column, rows, questions) for number, column in enumerate(columns)
        ],
    )


HARDEST_SHOWN = 5


def _summary(
    number: int, column: Column, rows: list[Row], questions: list[QuestionStat]
) -> AssignmentSummary:
    cells = [row.cells[number] for row in rows if row.cells[number] is not None]
    lessons = {lesson.key for lesson in column.node.lessons()}
    return AssignmentSummary(
        column=column,
        completed=sum(1 for cell in cells if cell.status == Status.COMPLETED),
        in_progress=sum(1 for cell in cells if cell.status == Status.IN_PROGRESS),
        not_started=sum(1 for cell in cells if cell.status == Status.NOT_STARTED),
        overdue=sum(1 for cell in cells if cell.overdue),
        hardest=next((stat for stat in questions if stat.lesson.key in lessons), None),
    )


def _question_stats(classroom: Classroom, columns: list[Column]) -> list[QuestionStat]:
    """Every answered question of the assigned lessons, the hardest first (one query)."""
    lessons = {lesson.key: lesson for column in columns for lesson in column.node.lessons()}
    if not lessons:
        return []
    stats = (
        QuestionAttempt.objects.filter(
            learner__memberships__classroom=classroom, lesson_key__in=list(lessons)
        )
        .values("lesson_key", "question_id")
        .annotate(
            attempts=Count("id"),
            right=Count("id", filter=Q(correct=True)),
            learners=Count("learner", distinct=True),
        )
    )
    result = []
    for row in stats:
        lesson = lessons[str(row["lesson_key"])]
        question = next((q for q in lesson.questions if q.id == row["question_id"]), None)
        if question is None:
            continue  # the question was removed from the lesson
        result.append(
            QuestionStat(
                lesson=lesson,
                prompt=question.prompt,
                attempts=row["attempts"],
                right=row["right"],
                learners=row["learners"],
            )
        )
    result.sort(key=lambda stat: (stat.right / stat.attempts, -stat.attempts))
    return result


def _completions_by_day(classroom: Classroom, today: date) -> list[tuple[date, int]]:
    start = today - timedelta(days=CHART_DAYS - 1)
    counts = dict(
        LessonProgress.objects.filter(
            learner__memberships__classroom=classroom,
            completed_at__date__gte=start,
        )
        .annotate(day=TruncDate("completed_at"))
        .values("day")
        .annotate(lessons=Count("id"))
        .values_list("day", "lessons")
    )
    return [
        (start + timedelta(days=n), counts.get(start + timedelta(days=n), 0))
        for n in range(CHART_DAYS)
    ]


def class_csv_rows(
    *, classroom: Classroom, language: str, today: date | None = None
) -> Iterator[list[str]]:
    """The dashboard as CSV rows, read in chunks so that memory stays flat for any class."""
    today = today or timezone.localdate()
    columns = dashboard_columns(classroom, language)
    yield ["name", "username", "last_active", *(csv_safe(f"{c.node.title} (%)") for c in columns)]
    members = class_members(classroom)
    chunk: list[Learner] = []
    for learner in members.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(learner)
        if len(chunk) == EXPORT_CHUNK:
            yield from _csv_chunk(chunk, columns, today)
            chunk = []
    if chunk:
        yield from _csv_chunk(chunk, columns, today)


def csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_chunk(learners: list[Learner], columns: list[Column], today: date) -> Iterator[list[str]]:
    for row in dashboard_rows(learners, columns, today):
        yield [
            csv_safe(row.learner.name),
            csv_safe(row.learner.user.get_username() if row.learner.user_id else ""),
            row.last_active.isoformat() if row.last_active else "",
            *(
                "" if cell is None else f"{cell.percent}{' overdue' if cell.overdue else ''}"
                for cell in row.cells
            ),
        ]
