"""The school administrator's record of what changed in the school's classes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from lms.models import ClassActivity, School


def class_activity_for_schools(schools: Iterable[School] | QuerySet) -> QuerySet[ClassActivity]:
    """What educators and integrations changed in these schools' classes, newest first."""
    return (
        ClassActivity.objects.filter(school__in=schools)
        .select_related("actor", "classroom", "school")
        .order_by("-created_at", "-pk")
    )
