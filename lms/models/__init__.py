from lms.models.help import (
    BestTime,
    ContactWay,
    HelpDesk,
    HelpPlace,
    HelpReply,
    HelpRequest,
    HelpStatus,
)
from lms.models.integrations import IntegrationToken
from lms.models.learners import Learner, RecoveryCode
from lms.models.people import (
    Assignment,
    ClassActivity,
    ClassMembership,
    ClassMessage,
    Classroom,
    Household,
    School,
    StaffRole,
)
from lms.models.progress import (
    AcceptedEvent,
    ActivityCompletion,
    CourseRegistration,
    EventKind,
    LearnerEvent,
    LessonProgress,
    QuestionAttempt,
)
from lms.models.queues import DeliveryStatus, WorkerHeartbeat
from lms.models.xapi import LrsEndpoint, Statement, StatementDelivery

__all__ = [
    "AcceptedEvent",
    "ActivityCompletion",
    "Assignment",
    "BestTime",
    "ClassActivity",
    "ClassMembership",
    "ClassMessage",
    "Classroom",
    "ContactWay",
    "CourseRegistration",
    "DeliveryStatus",
    "EventKind",
    "HelpDesk",
    "HelpPlace",
    "HelpReply",
    "HelpRequest",
    "HelpStatus",
    "Household",
    "IntegrationToken",
    "Learner",
    "LearnerEvent",
    "LessonProgress",
    "LrsEndpoint",
    "QuestionAttempt",
    "RecoveryCode",
    "School",
    "StaffRole",
    "Statement",
    "StatementDelivery",
    "WorkerHeartbeat",
]
