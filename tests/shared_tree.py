"""The `course_tree` most tests read, built once per session instead of once per test.

Building a course tree (pages, revisions, a translation, aliases for the other languages)
takes a second or two; hundreds of tests read one. Tests that run inside a transaction that is
rolled back afterwards (pytest-django's `db`) share one tree, committed before the first of
them: whatever a test changes is rolled back with its transaction, and each test gets its own
page objects, fetched by primary key.

Tests that commit for real (`transactional_db`, `live_server`) empty the database when they
finish, so they build their own tree as before. pytest-django runs them after every `db` test;
within the `db` tests, those that share the tree run last, so that no other test sees it, and
the database is put back as the migrations left it after the last of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.plugin import validate_django_db
from wagtail.images.models import Image

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from tests.factories import CourseTree, build_course_tree


def _commits(item: pytest.Item) -> bool:
    """Whether a test commits to the database (and so empties it afterwards)."""
    fixtures = set(getattr(item, "fixturenames", ()))
    if fixtures & {"transactional_db", "live_server"}:
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, reset_sequences, *_ = validate_django_db(marker)
    return bool(transaction or reset_sequences)


def _shares_tree(item: pytest.Item) -> bool:
    return "course_tree" in getattr(item, "fixturenames", ()) and not _commits(item)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's order (`db` tests, then committing ones, then the rest): the `db`
    tests that share the tree move to the end of the `db` tests."""
    first_committing = next((i for i, item in enumerate(items) if _commits(item)), len(items))
    db_tests = items[:first_committing]
    items[:first_committing] = sorted(db_tests, key=_shares_tree)  # sorted() is stable


@dataclass
class _SharedTree:
    catalog: int
    course: int
    modules: list[int]
    lessons: list[int]
    image: int
    migrated_state: str  # the database as the migrations left it, to put back afterwards
    blocker: object

    def tree(self) -> CourseTree:
        by_pk = {page.pk: page for page in ModulePage.objects.filter(pk__in=self.modules)}
        lessons = {page.pk: page for page in LessonPage.objects.filter(pk__in=self.lessons)}
        return CourseTree(
            catalog=CourseIndexPage.objects.get(pk=self.catalog),
            course=CoursePage.objects.get(pk=self.course),
            modules=[by_pk[pk] for pk in self.modules],
            lessons=[lessons[pk] for pk in self.lessons],
            image=Image.objects.get(pk=self.image),
        )

    def remove(self) -> None:
        with self.blocker.unblock():
            # As TransactionTestCase does: sequences are not reset, since the restored rows
            # keep their ids (PostgreSQL would hand out id 1 again).
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                reset_sequences=False,
                inhibit_post_migrate=True,
            )
            connection.creation.deserialize_db_from_string(self.migrated_state)


_shared: _SharedTree | None = None


@pytest.fixture(scope="session")
def _shared_course_tree(request, django_db_setup, django_db_blocker) -> _SharedTree | None:
    """Built when the first test that shares it starts (before its transaction opens)."""
    global _shared
    if not any(_shares_tree(item) for item in request.session.items):
        return None
    with django_db_blocker.unblock():
        migrated_state = connection.creation.serialize_db_to_string()
        tree = build_course_tree(name="shared")
    _shared = _SharedTree(
        catalog=tree.catalog.pk,
        course=tree.course.pk,
        modules=[page.pk for page in tree.modules],
        lessons=[page.pk for page in tree.lessons],
        image=tree.image.pk,
        migrated_state=migrated_state,
        blocker=django_db_blocker,
    )
    return _shared


@pytest.fixture
def course_tree(request, _shared_course_tree, db) -> CourseTree:
    """A small course in English and Spanish, every block type in its first lesson."""
    if _shared is not None and not _commits(request.node):
        return _shared.tree()
    return build_course_tree(modules=2, lessons_per_module=3)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After the last test that shares the tree, the database as the migrations left it."""
    global _shared
    yield
    if _shared is not None and nextitem is not None and not _shares_tree(nextitem):
        _shared.remove()
        _shared = None
