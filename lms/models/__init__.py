from lms.models.learners import Learner
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
    "CourseRegistration",
    "DeliveryStatus",
    "EventKind",
    "Learner",
    "LearnerEvent",
    "LessonProgress",
    "LrsEndpoint",
    "QuestionAttempt",
    "Statement",
    "StatementDelivery",
]
