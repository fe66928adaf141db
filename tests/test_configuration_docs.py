"""docs/configuration.md names every environment variable Puente's code reads, and no other.

The variables are found in the code itself (its syntax tree): ``os.environ.get("X")``,
``os.environ["X"]``, ``os.getenv``, ``"X" in os.environ``, ``dj_database_url.config()``, and
calls to helpers that pass their argument on to one of these (``env_list``, ``env_bool``, or
any added later). A variable added to the code without a row in the table fails here.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "configuration.md"
ENV_EXAMPLE = REPO / "deploy" / "puente.env.example"
NO_DEFAULT = object()


def source_files() -> list[Path]:
    files = [REPO / "manage.py"]
    for package in ("courses", "lms"):
        files += [p for p in (REPO / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


@dataclass(frozen=True)
class Read:
    name: str | None  # None: a name the code computes, which cannot be checked
    default: object
    where: str


def is_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ) or (isinstance(node, ast.Name) and node.id == "environ")


def literal(node: ast.expr | None) -> object:
    """A default the documentation can show: a constant, or str() of one."""
    if node is None:
        return NO_DEFAULT
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "str"
        and len(node.args) == 1
    ):
        inner = literal(node.args[0])
        return NO_DEFAULT if inner is NO_DEFAULT else str(inner)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return NO_DEFAULT


def direct_read(node: ast.AST) -> tuple[ast.expr, ast.expr | None] | None:
    """(the name's expression, the default's) when ``node`` reads the environment itself."""
    if isinstance(node, ast.Call):
        func = node.func
        environ_method = (
            isinstance(func, ast.Attribute)
            and is_environ(func.value)
            and func.attr in {"get", "setdefault", "pop"}
        )
        getenv = (isinstance(func, ast.Attribute) and func.attr == "getenv") or (
            isinstance(func, ast.Name) and func.id == "getenv"
        )
        if (environ_method or getenv) and node.args:
            return node.args[0], node.args[1] if len(node.args) > 1 else None
        dj_database_url = (
            isinstance(func, ast.Attribute)
            and func.attr == "config"
            and isinstance(func.value, ast.Name)
            and func.value.id == "dj_database_url"
        )
        if dj_database_url:
            env = next((k.value for k in node.keywords if k.arg == "env"), None)
            return env or ast.Constant("DATABASE_URL"), None
    if isinstance(node, ast.Subscript) and is_environ(node.value):
        return node.slice, None
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn)
        and is_environ(node.comparators[0])
    ):
        return node.left, None
    return None


def helpers(trees: dict[Path, ast.Module]) -> dict[str, tuple[int, list[ast.expr]]]:
    """Functions that read the variable named by one of their parameters: name -> (that
    parameter's position, the parameters' defaults aligned to their positions)."""
    found = {}
    for tree in trees.values():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            parameters = [a.arg for a in function.args.args]
            defaults = [None] * (len(parameters) - len(function.args.defaults))
            defaults += function.args.defaults
            for node in ast.walk(function):
                read = direct_read(node)
                if read and isinstance(read[0], ast.Name) and read[0].id in parameters:
                    found[function.name] = (parameters.index(read[0].id), defaults)
    return found


@functools.cache
def environment_reads() -> tuple[Read, ...]:
    trees = {path: ast.parse(path.read_text(), str(path)) for path in source_files()}
    wrappers = helpers(trees)
    reads = []
    for path, tree in trees.items():
        inside_helpers = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef) and function.name in wrappers
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
            read = direct_read(node)
            if read is not None:
                if id(node) in inside_helpers and isinstance(read[0], ast.Name):
                    continue  # a helper's own read of the variable its caller names
                name = literal(read[0])
                reads.append(Read(name if isinstance(name, str) else None, literal(read[1]), where))
                continue
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called not in wrappers:
                continue
            position, defaults = wrappers[called]
            name = literal(node.args[position]) if len(node.args) > position else NO_DEFAULT
            default_node = node.args[position + 1] if len(node.args) > position + 1 else None
            default_node = default_node or next(
                (k.value for k in node.keywords if k.arg == "default"), None
            )
            if default_node is None and len(defaults) > position + 1:
                default_node = defaults[position + 1]
            reads.append(
                Read(name if isinstance(name, str) else None, literal(default_node), where)
            )
    return tuple(reads)


def documented() -> dict[str, str]:
    """The table rows of docs/configuration.md: variable -> its default cell."""
    rows: dict[str, str] = {}
    for line in DOC.read_text().splitlines():
        match = re.match(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|([^|]*)\|\s*$", line)
        if match:
            name, default, meaning = match.groups()
            assert name not in rows, f"{name} has two rows"
            assert meaning.strip(), f"{name} has no meaning"
            rows[name] = default
    return rows


def shown(default: object) -> str:
    """How the table writes a default: a switch as `on`/`off`, anything else as itself."""
    if isinstance(default, bool):
        return "`on`" if default else "`off`"
    return f"`{default}`"


def test_the_scan_finds_reads_of_every_kind():
    reads = {read.name for read in environment_reads()}
    # Through os.environ.get, env_list, env_bool, os.environ.setdefault, and a default in str().
    assert {"DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_HSTS_PRELOAD"} <= reads
    assert {"DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY", "PUENTE_MAX_BODY_BYTES"} <= reads
    sample = ast.parse(
        "import os\n"
        "def env_int(key, default=0):\n"
        "    return int(os.environ.get(key, default))\n"
        "A = env_int('ONE', 3)\n"
        "B = os.environ['TWO']\n"
        "C = 'THREE' in os.environ\n"
        "D = os.getenv('FOUR', 'x')\n"
    )
    found = [direct_read(node) for node in ast.walk(sample)]
    assert sorted(literal(r[0]) for r in found if r and isinstance(r[0], ast.Constant)) == [
        "FOUR",
        "THREE",
        "TWO",
    ]
    assert helpers({Path("sample.py"): sample})["env_int"][0] == 0


def test_every_variable_the_code_reads_is_documented():
    reads = environment_reads()
    computed = [read.where for read in reads if read.name is None]
    assert not computed, f"environment variables read by a computed name: {computed}"
    rows = documented()
    missing = sorted({f"{read.name} ({read.where})" for read in reads if read.name not in rows})
    assert not missing, f"add these to docs/configuration.md: {missing}"


def test_the_documentation_names_no_variable_the_code_no_longer_reads():
    read = {read.name for read in environment_reads()}
    stale = sorted(set(documented()) - read)
    assert not stale, f"docs/configuration.md names variables nothing reads: {stale}"


def test_the_documented_defaults_are_the_code_defaults():
    rows = documented()
    wrong = []
    for read in environment_reads():
        if read.default in (NO_DEFAULT, None, "") or read.name not in rows:
            continue
        if shown(read.default) not in rows[read.name]:
            wrong.append(f"{read.name}: {shown(read.default)} ({read.where})")
    assert not wrong, f"docs/configuration.md gives other defaults: {wrong}"


def test_the_environment_example_sets_only_documented_variables():
    rows = documented()
    names = re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE)
    assert "DATABASE_URL" in names
    unknown = sorted(set(names) - set(rows))
    assert not unknown, f"deploy/puente.env.example sets variables Puente does not read: {unknown}"


def test_the_environment_example_reads_the_same_in_systemd_and_the_shell():
    # systemd's EnvironmentFile= and `. file` (puente-manage) agree on plain values only.
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s'\"$`\\#]*", line), line
