import pytest

from tests.factories import CourseTree, build_course_tree

pytest_plugins = ["tests.ralph.fixtures"]


@pytest.fixture
def course_tree(db) -> CourseTree:
    """A small course in English and Spanish, every block type in its first lesson."""
    return build_course_tree(modules=2, lessons_per_module=3)
