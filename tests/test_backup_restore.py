"""Backups and restores exactly as docs/production.md writes them, run against the suite's own
database: every table comes back with the same rows, every uploaded file with the same bytes.

PostgreSQL: `pg_dump`/`pg_restore` into a new database, and the uploads through `tar`.
SQLite: `sqlite3 ... ".backup ..."`. Each test skips on the other database.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from psycopg import sql

from lms.services.progress import learner_event_record
from tests.factories import build_course_tree, lesson_event, lesson_finish

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "production.md"


def documented_commands(heading: str) -> list[str]:
    """The command lines in the ```sh blocks under ``heading``, up to the next heading."""
    section = DOC.read_text().split(f"\n{heading}\n", 1)[1]
    section = re.split(r"\n#{1,6} ", section, maxsplit=1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def build_site(media_root: Path, settings, make_learner) -> None:
    """Pages, images, a document, learners and their statements, committed."""
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = media_root
    tree = build_course_tree(modules=1, lessons_per_module=2)
    tree.image.get_rendition("width-320")
    Document.objects.create(title="Handout", file=ContentFile(b"%PDF-1.4 a handout", "h.pdf"))
    for index in range(3):
        learner = make_learner(f"learner-{index}")
        lesson_finish(learner, tree.lessons[0])
        learner_event_record(learner=learner, event=lesson_event(tree.lessons[1], "viewed"))


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mode)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_contents(dbname: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows, and every sequence's position."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=dbname
    ) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        contents = {}
        for (table,) in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            contents[table] = conn.execute(query).fetchone()
        sequences = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        for name, last_value in sequences:
            contents[f"sequence {name}"] = (last_value, "")
    return contents


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_backup_and_restore(tmp_path, settings, make_learner):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); the SQLite backup is tested on SQLite")
    db = connection.settings_dict
    restored = f"{db['NAME']}_restored"
    server, new_server, backups = tmp_path / "srv", tmp_path / "new-srv", tmp_path / "backups"
    for directory in (server, new_server, backups):
        directory.mkdir()
    build_site(server / "media", settings, make_learner)
    environment = {
        **os.environ,
        "PGHOST": db["HOST"],
        "PGPORT": str(db["PORT"]),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"] or "",
    }

    def run(commands: list[str], *, database: str, srv: Path) -> None:
        for line in commands:
            if line.startswith("systemctl "):
                continue  # no services run here
            line = line.replace("/var/backups/puente", str(backups))
            line = line.replace("--directory=/srv/puente", f"--directory={srv}")
            line = line.replace("runuser -u postgres -- ", "")  # PGUSER is a superuser
            line = line.replace("--owner=puente", f"--owner={db['USER']}")
            line = line.replace("--role=puente", f"--role={db['USER']}")
            line = line.replace("--dbname=puente", f"--dbname={database}")
            line = re.sub(r" puente$", f" {database}", line)
            # Any database or role named puente left (file names like puente.dump may stay).
            assert not re.search(r"(?<![\w/.])puente(?![\w/.])", line), line
            # A shell, as the operator's: the lines redirect to and from files.
            result = subprocess.run(  # noqa: S602
                line, shell=True, env=environment, capture_output=True, text=True, timeout=300
            )
            assert result.returncode == 0, f"{line}\n{result.stderr}"

    backing_up = documented_commands("### Backing up")
    restoring = documented_commands("### Restoring")
    assert any(line.startswith("runuser -u postgres -- pg_dump") for line in backing_up)
    assert any("pg_restore" in line for line in restoring)
    assert not (new_server / "media").exists()
    try:
        run(backing_up, database=db["NAME"], srv=server)
        run(restoring, database=restored, srv=new_server)
        original, copy = postgres_contents(db["NAME"]), postgres_contents(restored)
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", restored], env=environment, capture_output=True, timeout=60
        )

    assert original["lms_learner"][0] == 3
    assert original["lms_statement"][0] > 3
    assert original["wagtailcore_page"][0] > 5
    assert copy == original
    uploads = files(server / "media")
    assert {"documents/h.pdf", "original_images/test-image.png"} <= set(uploads)
    assert any(name.startswith("images/") for name in uploads)  # a rendition
    assert files(new_server / "media") == uploads


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_contents(path: Path) -> dict[str, tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        contents = {}
        for (table,) in tables:
            rows = sorted(map(repr, conn.execute(f'SELECT * FROM "{table}"')))  # noqa: S608
            contents[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return contents


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sqlite_backup(tmp_path, settings, make_learner):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup is for SQLite sites; PostgreSQL's is tested on PostgreSQL")
    build_site(tmp_path / "media", settings, make_learner)
    live = Path(connection.settings_dict["NAME"])
    (command,) = documented_commands("### On SQLite (a laptop or a school server)")
    assert "db.sqlite3" in command
    assert "backup.sqlite3" in command
    command = command.replace("db.sqlite3", str(live))  # backup.sqlite3 lands in tmp_path

    result = subprocess.run(  # noqa: S602 # the line as the documentation writes it
        command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    original = sqlite_contents(live)
    assert original["lms_learner"][0] == 3
    assert original["lms_statement"][0] > 3
    assert original["wagtailcore_page"][0] > 5
    # Restored: the copy, without the -wal and -shm files, is the database.
    restored = tmp_path / "restored" / "db.sqlite3"
    restored.parent.mkdir()
    restored.write_bytes((tmp_path / "backup.sqlite3").read_bytes())
    assert sqlite_contents(restored) == original
