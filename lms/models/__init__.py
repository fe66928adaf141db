from lms.models.learners import Learner
from lms.models.people import (
    Assignment,
    ClassMembership,
    Classroom,
    Household,
    School,
    StaffRole,
)
from lms.models.progress import (
    ActivityCompletion,
    CourseRegistration,
    EventKind,
    LearnerEvent,
    LessonProgress,
    QuestionAttempt,
)
from lms.models.xapi import DeliveryStatus, LrsEndpoint, Statement, StatementDelivery

__all__ = [
    "ActivityCompletion",
    "Assignment",
    "ClassMembership",
    "Classroom",
    "CourseRegistration",
    "DeliveryStatus",
    "EventKind",
    "Household",
    "Learner",
    "LearnerEvent",
    "LessonProgress",
    "LrsEndpoint",
    "QuestionAttempt",
    "School",
    "StaffRole",
    "Statement",
    "StatementDelivery",
]
