"""What learners were assigned, by whom, when it is due, and how far they got."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from lms.models import (
    ActivityCompletion,
    Assignment,
    ClassMembership,
    ClassMessage,
    Learner,
    LessonProgress,
    StaffRole,
)
from lms.selectors.outline import OutlineNode, course_outlines, outline_index
from lms.selectors.progress import Status


@dataclass(frozen=True)
class ActivityProgress:
    status: Status
    percent: int
    overdue: bool


def activity_progress(
    node: OutlineNode,
    completed_lessons: set[str],
    started_lessons: set[str],
    completed_activities: set[str],
    due_on: date | None,
    today: date,
) -> ActivityProgress:
    """A learner's progress through a module or course, from sets of lesson keys."""
    lessons = [lesson.key for lesson in node.lessons()]
    done = sum(1 for key in lessons if key in completed_lessons)
    if node.key in completed_activities or (lessons and done == len(lessons)):
        status = Status.COMPLETED
    elif done or any(key in started_lessons for key in lessons):
        status = Status.IN_PROGRESS
    else:
        status = Status.NOT_STARTED
    percent = (
        100 if status == Status.COMPLETED else round(100 * done / len(lessons) if lessons else 0)
    )
    overdue = status != Status.COMPLETED and due_on is not None and due_on < today
    return ActivityProgress(status=status, percent=percent, overdue=overdue)


@dataclass(frozen=True)
class AssignedActivity:
    assignment: Assignment
    node: OutlineNode
    progress: ActivityProgress

    @property
    def assigned_by_name(self) -> str:
        user = self.assignment.assigned_by
        return (user.get_full_name() or user.get_username()) if user else ""


@dataclass
class LearnerProgressSets:
    completed_lessons: set[str]
    started_lessons: set[str]
    completed_activities: set[str]


def progress_sets(learner_ids: list[int]) -> dict[int, LearnerProgressSets]:
    """Per learner: lessons completed, lessons started, modules/courses completed (2 queries,
    and one to record first any events the API accepted for later)."""
    # Imported here: recording imports the selectors.
    from lms.services.accepted_events import accepted_events_settle_many

    accepted_events_settle_many(learner_ids=learner_ids)
    sets: dict[int, LearnerProgressSets] = defaultdict(
        lambda: LearnerProgressSets(set(), set(), set())
    )
    for learner_id, lesson_key, completed_at in LessonProgress.objects.filter(
        learner_id__in=learner_ids
    ).values_list("learner_id", "lesson_key", "completed_at"):
        entry = sets[learner_id]
        entry.started_lessons.add(str(lesson_key))
        if completed_at:
            entry.completed_lessons.add(str(lesson_key))
    for learner_id, key in ActivityCompletion.objects.filter(
        learner_id__in=learner_ids
    ).values_list("learner_id", "activity_key"):
        sets[learner_id].completed_activities.add(str(key))
    return sets


def assignments_for_learners(
    *,
    learners: list[Learner],
    language: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> dict[int, list[AssignedActivity]]:
    """Each learner's assignments, overdue and soonest due first (a fixed number of queries)."""
    today = today or timezone.localdate()
    ids = [learner.pk for learner in learners]
    classes_of: dict[int, set[int]] = defaultdict(set)
    # An archived class's assignments leave its learners' to-do lists.
    for learner_id, classroom_id in ClassMembership.objects.filter(
        learner_id__in=ids, classroom__archived_at__isnull=True
    ).values_list("learner_id", "classroom_id"):
        classes_of[learner_id].add(classroom_id)
    all_classes = set().union(*classes_of.values()) if classes_of else set()
    assignments = list(
        Assignment.objects.filter(classroom_id__in=all_classes)
        .select_related("classroom", "assigned_by")
        .prefetch_related("learners")
    )
    index = outline_index(course_outlines(language=language, request=request))
    sets = progress_sets(ids)
    result: dict[int, list[AssignedActivity]] = {learner_id: [] for learner_id in ids}
    for assignment in assignments:
        node = index.get(str(assignment.activity_key))
        if node is None:
            continue  # the module was unpublished
        targets = {learner.pk for learner in assignment.learners.all()}
        for learner_id in ids:
            if assignment.classroom_id not in classes_of[learner_id]:
                continue
            if targets and learner_id not in targets:
                continue
            mine = sets[learner_id]
            progress = activity_progress(
                node,
                mine.completed_lessons,
                mine.started_lessons,
                mine.completed_activities,
                assignment.due_on,
                today,
            )
            result[learner_id].append(AssignedActivity(assignment, node, progress))
    for items in result.values():
        items.sort(
            key=lambda item: (
                item.progress.status == Status.COMPLETED,
                not item.progress.overdue,
                item.assignment.due_on or date.max,
            )
        )
    return result


@dataclass(frozen=True)
class ClassContext:
    """The class (and teacher) a learner's activity belongs to, as opaque ids for xAPI."""

    group_id: str
    instructor_id: str | None


def class_context(*, learner: Learner, activity_keys: list[str]) -> ClassContext | None:
    """The class whose assignment covers these activities (a module, its course), else the
    learner's first class; None for a learner in no class (2 queries at most)."""
    memberships = list(
        ClassMembership.objects.filter(learner=learner)
        .select_related("classroom")
        .order_by("joined_at")
    )
    if not memberships:
        return None
    classrooms = {m.classroom_id: m.classroom for m in memberships}
    assignment = (
        Assignment.objects.filter(classroom_id__in=classrooms, activity_key__in=activity_keys)
        .filter(Q(learners__isnull=True) | Q(learners=learner))
        .select_related("assigned_by")
        .order_by("due_on", "created_at")
        .first()
    )
    if assignment is None:
        return ClassContext(group_id=str(memberships[0].classroom.group_id), instructor_id=None)
    classroom = classrooms[assignment.classroom_id]
    role = (
        StaffRole.objects.filter(user=assignment.assigned_by, school_id=classroom.school_id)
        .order_by("role")
        .first()
        if assignment.assigned_by_id
        else None
    )
    return ClassContext(
        group_id=str(classroom.group_id), instructor_id=str(role.actor_id) if role else None
    )


MESSAGES_SHOWN = 3  # the newest messages of each class on a learner's home


def messages_for_learners(*, learner_ids: list[int]) -> dict[int, list[ClassMessage]]:
    """Each learner's newest class messages, newest first (2 queries, any number of learners)."""
    classes_of: dict[int, set[int]] = defaultdict(set)
    for learner_id, classroom_id in ClassMembership.objects.filter(
        learner_id__in=learner_ids, classroom__archived_at__isnull=True
    ).values_list("learner_id", "classroom_id"):
        classes_of[learner_id].add(classroom_id)
    all_classes = set().union(*classes_of.values()) if classes_of else set()
    newest: dict[int, list[ClassMessage]] = defaultdict(list)
    for message in ClassMessage.objects.filter(classroom_id__in=all_classes).select_related(
        "classroom"
    ):  # newest first (the model's order)
        if len(newest[message.classroom_id]) < MESSAGES_SHOWN:
            newest[message.classroom_id].append(message)
    result = {}
    for learner_id in learner_ids:
        mine = [m for classroom_id in classes_of[learner_id] for m in newest[classroom_id]]
        result[learner_id] = sorted(mine, key=lambda m: m.created_at, reverse=True)
    return result


def messages_for_classroom(*, classroom) -> list[ClassMessage]:
    """A class's messages to its families, newest first."""
    return list(ClassMessage.objects.filter(classroom=classroom).select_related("author"))
