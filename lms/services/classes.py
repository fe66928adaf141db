"""Classes: create, join with a code, add learners or import a roster, assign modules."""

from __future__ import annotations

import csv
import io
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from anyascii import anyascii
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lms.models import Assignment, ClassMembership, Classroom, Learner, School
from lms.selectors.activities import activity_type_of

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud and copied from paper.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 8
ROSTER_MAX_ROWS = 1000
# Simple words for passwords that children can type: three words and two digits make about
# 2.9 million combinations (sign-in attempts must be rate-limited to keep that enough).
PASSWORD_WORDS = (
    "apple",
    "bird",
    "boat",
    "cake",
    "cloud",
    "corn",
    "drum",
    "fish",
    "frog",
    "gold",
    "hat",
    "kite",
    "lamp",
    "leaf",
    "lion",
    "moon",
    "nest",
    "park",
    "pear",
    "rain",
    "ring",
    "road",
    "rock",
    "rose",
    "sand",
    "ship",
    "snow",
    "star",
    "sun",
    "tree",
    "wave",
    "wolf",
)


class ClassError(ValueError):
    """A request about a class that cannot be done; the message says why."""


def join_code_new() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def join_code_clean(code: str) -> str:
    """What a person typed (any case, spaces, dashes) as a stored code."""
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def classroom_create(*, school: School, name: str, educator: AbstractBaseUser) -> Classroom:
    name = name.strip()
    if not name:
        raise ClassError(_("Give the class a name."))
    for _attempt in range(10):
        try:
            with transaction.atomic():
                classroom = Classroom.objects.create(
                    school=school, name=name, join_code=join_code_new()
                )
                classroom.educators.add(educator)
                return classroom
        except IntegrityError:
            continue  # a code already in use: draw another
    raise ClassError(_("Could not make a unique join code. Please try again."))


def classroom_join(*, code: str, learner: Learner) -> Classroom:
    classroom = Classroom.objects.filter(join_code=join_code_clean(code)).first()
    if classroom is None:
        raise ClassError(_("There is no class with this code. Check it and try again."))
    ClassMembership.objects.get_or_create(classroom=classroom, learner=learner)
    return classroom


@dataclass(frozen=True)
class NewAccount:
    learner: Learner
    username: str
    password: str  # shown once, on the sign-in sheet; only its hash is stored


def easy_password() -> str:
    words = [secrets.choice(PASSWORD_WORDS) for _ in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(90) + 10}"


def classroom_member_add(
    *, classroom: Classroom, display_name: str, preferred_language: str = "", username: str = ""
) -> NewAccount:
    """A learner account made by an educator: a username and an easy password, no email."""
    display_name = display_name.strip()
    if not display_name:
        raise ClassError(_("Write the learner's name."))
    languages = {code for code, _name in settings.LANGUAGES}
    if preferred_language and preferred_language not in languages:
        raise ClassError(
            _("Unknown language %(language)s; use one of %(languages)s.")
            % {"language": preferred_language, "languages": ", ".join(sorted(languages))}
        )
    user_model = get_user_model()
    if username:
        if not re.fullmatch(r"[\w.@+-]{3,150}", username):
            raise ClassError(_("A username has 3 to 150 letters, digits or . @ + - _"))
        if user_model.objects.filter(username__iexact=username).exists():
            raise ClassError(_("The username %(username)s is taken.") % {"username": username})
    else:
        username = _free_username(display_name)
    password = easy_password()
    with transaction.atomic():
        user = user_model.objects.create_user(username=username, password=password)
        learner = Learner.objects.create(
            user=user, display_name=display_name, preferred_language=preferred_language
        )
        ClassMembership.objects.create(classroom=classroom, learner=learner)
    return NewAccount(learner=learner, username=username, password=password)


USERNAME_TRIES_PER_LENGTH = 20


def username_base(display_name: str) -> str:
    """A name as Latin letters anyone can type on any phone: "张伟" -> "zhangwei", "محمد" ->
    "mhmd", "Nguyễn Văn" -> "nguyenvan" (anyascii transliterates; Wagtail depends on it)."""
    return (slugify(anyascii(display_name)).replace("-", "") or "learner")[:12]


def _free_username(display_name: str) -> str:
    """The name's letters and a number no one has: 3 digits, then 4, then 5 if the names
    around are taken (a bounded search, so a crowded name cannot loop forever)."""
    base = username_base(display_name)
    user_model = get_user_model()
    for digits in (3, 4, 5):
        low = 10 ** (digits - 1)
        candidates = {
            f"{base}{low + secrets.randbelow(9 * low)}" for _ in range(USERNAME_TRIES_PER_LENGTH)
        }
        taken = set(
            user_model.objects.annotate(lowered=Lower("username"))
            .filter(lowered__in=candidates)
            .values_list("lowered", flat=True)
        )
        free = sorted(candidates - taken)
        if free:
            return free[0]
    raise ClassError(
        _("Could not find a free username for %(name)s. Give one in the username column.")
        % {"name": display_name}
    )


@dataclass
class RosterReport:
    created: list[NewAccount] = field(default_factory=list)
    # (line number in the file, what was wrong)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def roster_import(*, classroom: Classroom, data: bytes) -> RosterReport:
    """Add learners from a CSV file with a ``name`` column (and ``language``, ``username``).

    Every good row is added; every bad row is reported with its line number and the reason.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClassError(_("The file is not a UTF-8 text (CSV) file.")) from error
    if "\x00" in text:
        raise ClassError(_("The file is not a text (CSV) file."))
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if "name" not in columns:
        raise ClassError(_("The first line must name the columns, with at least “name”."))
    report = RosterReport()
    seen: set[str] = set()
    for line_number, row in _readable_rows(reader, report):
        if line_number - 1 > ROSTER_MAX_ROWS:
            report.rejected.append(
                (line_number, _("Only %(limit)d rows at a time.") % {"limit": ROSTER_MAX_ROWS})
            )
            break
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        username = row.get("username", "")
        if username and username.lower() in seen:
            report.rejected.append((line_number, _("This username is in the file twice.")))
            continue
        try:
            account = classroom_member_add(
                classroom=classroom,
                display_name=row.get("name", ""),
                preferred_language=row.get("language", "").lower(),
                username=username,
            )
        except ClassError as error:
            report.rejected.append((line_number, str(error)))
            continue
        seen.add(account.username.lower())
        report.created.append(account)
    return report


def _readable_rows(reader: csv.DictReader, report: RosterReport) -> Iterator[tuple[int, dict]]:
    """The rows of ``reader`` numbered from line 2, up to a line csv cannot read (a field over
    its size limit), which is reported as rejected: the rows before it are still added."""
    line_number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            report.rejected.append(
                (line_number + 1, _("This line cannot be read; the lines after it were not read."))
            )
            return
        line_number += 1
        yield line_number, row


def assignment_create(
    *,
    classroom: Classroom,
    activity_key: uuid.UUID,
    assigned_by: AbstractBaseUser,
    due_on: date | None = None,
    note: str = "",
    learners: list[Learner] | None = None,
) -> Assignment:
    """Assign a module or a course to the whole class, or to chosen learners in it."""
    activity_type = activity_type_of(activity_key)
    if activity_type is None:
        raise ClassError(_("Choose a module or a course to assign."))
    chosen = list(learners or [])
    members = set(classroom.memberships.values_list("learner_id", flat=True))
    if any(learner.pk not in members for learner in chosen):
        raise ClassError(_("Choose learners from this class."))
    with transaction.atomic():
        assignment = Assignment.objects.create(
            classroom=classroom,
            activity_key=activity_key,
            activity_type=activity_type,
            assigned_by=assigned_by,
            due_on=due_on,
            note=note.strip(),
        )
        assignment.learners.set(chosen)
    return assignment
