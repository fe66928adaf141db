"""Puente's REST API, version 1. The OpenAPI schema covers exactly these URLs."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound

from lms.api.views.classes import (
    ClassAssignmentsView,
    ClassDashboardView,
    ClassListView,
    ClassMembersView,
    JoinClassView,
)
from lms.api.views.events import EventBatchView
from lms.api.views.help import (
    HelpHandlingView,
    HelpRepliesView,
    HelpRequestsView,
    HelpRequestView,
)
from lms.api.views.learning import CatalogView, HouseholdView, MyProgressView
from lms.api.views.manage import (
    ActivityView,
    AssignmentDetailView,
    ClassDetailView,
    ClassMessagesView,
    ClassMessageView,
    MemberDetailView,
    MemberMoveView,
    MemberPasswordView,
)

app_name = "api"

endpoints = [
    path("events/", EventBatchView.as_view(), name="events"),
    path("me/progress/", MyProgressView.as_view(), name="my-progress"),
    path("catalog/", CatalogView.as_view(), name="catalog"),
    path("classes/", ClassListView.as_view(), name="classes"),
    path("classes/join/", JoinClassView.as_view(), name="join"),
    path("classes/<int:classroom_id>/", ClassDetailView.as_view(), name="class"),
    path("classes/<int:classroom_id>/members/", ClassMembersView.as_view(), name="members"),
    path(
        "classes/<int:classroom_id>/members/<int:learner_id>/",
        MemberDetailView.as_view(),
        name="member",
    ),
    path(
        "classes/<int:classroom_id>/members/<int:learner_id>/move/",
        MemberMoveView.as_view(),
        name="member-move",
    ),
    path(
        "classes/<int:classroom_id>/members/<int:learner_id>/password/",
        MemberPasswordView.as_view(),
        name="member-password",
    ),
    path(
        "classes/<int:classroom_id>/assignments/",
        ClassAssignmentsView.as_view(),
        name="assignments",
    ),
    path(
        "classes/<int:classroom_id>/assignments/<int:assignment_id>/",
        AssignmentDetailView.as_view(),
        name="assignment",
    ),
    path("classes/<int:classroom_id>/dashboard/", ClassDashboardView.as_view(), name="dashboard"),
    path("classes/<int:classroom_id>/messages/", ClassMessagesView.as_view(), name="messages"),
    path(
        "classes/<int:classroom_id>/messages/<int:message_id>/",
        ClassMessageView.as_view(),
        name="message",
    ),
    path("activity/", ActivityView.as_view(), name="activity"),
    path("household/", HouseholdView.as_view(), name="household"),
    path("help/requests/", HelpRequestsView.as_view(), name="help-requests"),
    path("help/requests/<int:help_request_id>/", HelpRequestView.as_view(), name="help-request"),
    path(
        "help/requests/<int:help_request_id>/handling/",
        HelpHandlingView.as_view(),
        name="help-handling",
    ),
    path(
        "help/requests/<int:help_request_id>/replies/",
        HelpRepliesView.as_view(),
        name="help-replies",
    ),
]

urlpatterns = [
    *endpoints,
    path(
        "schema/",
        SpectacularAPIView.as_view(urlconf="lms.api.schema_urls", permission_classes=[]),
        name="schema",
    ),
    # The split view serves Swagger UI's set-up script as a file: no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="lms:api:schema", permission_classes=[]),
        name="docs",
    ),
]


@csrf_exempt  # a 404 either way: no CSRF page instead
def not_found(request, path: str) -> JsonResponse:
    """Anything else under /api/v1/ is an API's 404 (JSON), not the site's HTML page."""
    return JsonResponse(
        {"detail": str(NotFound.default_detail), "code": NotFound.default_code}, status=404
    )


# [\s\S], not ".": a path may hold an encoded newline (%0A), which "." would not match,
# and the request would fall through to the site's HTML 404.
urlpatterns.append(re_path(r"^(?P<path>[\s\S]*)$", not_found))
