"""The plugin's layers: lms never imports the course server, and nothing outside lms/lti knows
LTI (grade return and the LTI context hear about learning through lms/signals.py)."""

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parent.parent / "lms"


def imported_modules(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in folder.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(LMS.parent))] = names
    return found


def test_the_plugin_never_imports_the_course_server():
    offenders = {
        path: sorted(n for n in names if n == "courses" or n.startswith("courses."))
        for path, names in imported_modules(LMS).items()
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_the_plugins_services_know_nothing_of_lti():
    offenders = {
        path: sorted(n for n in names if n.startswith("lms.lti"))
        for path, names in imported_modules(LMS / "services").items()
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_lti_is_optional_nothing_outside_lms_lti_imports_it():
    """lms.lti is an app a host may leave out (with django-lti and PyLTI1p3): the rest of the
    plugin reaches it through signals and the queue registry only."""
    lti_packages = ("lms.lti", "lti_tool", "pylti1p3", "csp", "jwt")
    offenders = {
        path: sorted(n for n in names if n.startswith(lti_packages))
        for path, names in imported_modules(LMS).items()
        if not path.startswith("lms/lti/")
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_lti_grade_return_shares_the_queue_module_not_the_xapi_delivery():
    """Backoff, finishing, retrying and releasing a leased row live in lms/queues.py, for the
    xAPI outbox and LTI scores alike."""
    grades = imported_modules(LMS / "lti")["lms/lti/grades.py"]
    assert "lms.queues" in grades
    assert not {name for name in grades if name.startswith("lms.xapi")}
