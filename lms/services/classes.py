"""Classes: create, rename, archive; join with a code; add, import, remove or move learners,
and give a learner the school made a new password. Every change an educator makes is recorded
for the school (lms.services.activity)."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from anyascii import anyascii
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lms.models import ClassActivity, ClassMembership, Classroom, Learner, School
from lms.services.activity import Actor, activity_record

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
    """A request about a class that cannot be done; the message says why, and ``field`` which
    part of the request it is about (for forms and the API), if one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def join_code_new() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def join_code_clean(code: str) -> str:
    """What a person typed (any case, spaces, dashes) as a stored code."""
    return re.sub(r"[^A-Z0-9]", "", (code or "").upper())


def classroom_create(
    *, school: School, name: str, educator: AbstractBaseUser | None, actor: Actor | None = None
) -> Classroom:
    """A class at ``school``; ``educator`` (if any) teaches it."""
    name = _class_name(name)
    actor = actor or Actor(user=educator)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                classroom = Classroom.objects.create(
                    school=school, name=name, join_code=join_code_new()
                )
                if educator is not None:
                    classroom.educators.add(educator)
                activity_record(
                    classroom=classroom,
                    actor=actor,
                    action=ClassActivity.Action.CLASS_CREATED,
                    detail=name,
                )
                return classroom
        except IntegrityError:
            continue  # a code already in use: draw another
    raise ClassError(_("Could not make a unique join code. Please try again."))


def _class_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ClassError(_("Give the class a name."))
    return name


def classroom_rename(*, classroom: Classroom, name: str, actor: Actor) -> Classroom:
    name = _class_name(name)
    if name != classroom.name:
        with transaction.atomic():
            old = classroom.name
            classroom.name = name
            classroom.save(update_fields=["name"])
            activity_record(
                classroom=classroom,
                actor=actor,
                action=ClassActivity.Action.CLASS_RENAMED,
                detail=f"{old} → {name}",
            )
    return classroom


def classroom_archive(*, classroom: Classroom, archived: bool, actor: Actor) -> Classroom:
    """Archive a class that is over (its assignments leave learners' to-do lists; it stays
    readable and exportable), or reopen it."""
    if archived == (classroom.archived_at is not None):
        return classroom
    with transaction.atomic():
        classroom.archived_at = timezone.now() if archived else None
        classroom.save(update_fields=["archived_at"])
        activity_record(
            classroom=classroom,
            actor=actor,
            action=(
                ClassActivity.Action.CLASS_ARCHIVED
                if archived
                else ClassActivity.Action.CLASS_REOPENED
            ),
            detail=classroom.name,
        )
    return classroom


def classroom_join(*, code: str, learner: Learner) -> Classroom:
    classroom = Classroom.objects.filter(join_code=join_code_clean(code)).first()
    if classroom is None:
        raise ClassError(_("There is no class with this code. Check it and try again."))
    if classroom.archived_at is not None:
        raise ClassError(_("This class has ended. Ask your teacher for the code of a new one."))
    ClassMembership.objects.get_or_create(classroom=classroom, learner=learner)
    return classroom


def classroom_member_remove(*, classroom: Classroom, learner: Learner, actor: Actor) -> None:
    """Take a learner out of a class. Their progress stays theirs; the class's assignments
    leave their to-do list."""
    with transaction.atomic():
        deleted, _rows = ClassMembership.objects.filter(
            classroom=classroom, learner=learner
        ).delete()
        if not deleted:
            raise ClassError(_("This learner is not in this class."))
        for assignment in classroom.assignments.filter(learners=learner):
            assignment.learners.remove(learner)
        activity_record(
            classroom=classroom,
            actor=actor,
            action=ClassActivity.Action.LEARNER_REMOVED,
            detail=learner.name,
        )


def classroom_member_move(
    *, classroom: Classroom, learner: Learner, to: Classroom, actor: Actor
) -> None:
    """Move a learner to another class of the same school."""
    if to.pk == classroom.pk:
        raise ClassError(_("Choose another class."))
    if to.school_id != classroom.school_id:
        raise ClassError(_("Choose a class of the same school."))
    if to.archived_at is not None:
        raise ClassError(_("That class has ended; choose another."))
    with transaction.atomic():
        classroom_member_remove(classroom=classroom, learner=learner, actor=actor)
        ClassMembership.objects.get_or_create(classroom=to, learner=learner)
        activity_record(
            classroom=classroom,
            actor=actor,
            action=ClassActivity.Action.LEARNER_MOVED,
            detail=f"{learner.name} → {to.name}",
        )


def learner_password_reset(*, classroom: Classroom, learner: Learner, actor: Actor) -> NewAccount:
    """A new easy password for a learner whose account the school made (the old one stops
    working): for a new sign-in card. Accounts people made themselves are theirs to recover
    (with their recovery code), never an educator's to take over."""
    in_class = ClassMembership.objects.filter(classroom=classroom, learner=learner).exists()
    if not in_class or learner.user_id is None:
        raise ClassError(_("This learner is not in this class."))
    if learner.created_by_school_id != classroom.school_id:
        raise ClassError(
            _(
                "This learner made their own account: they can get back in with their "
                "recovery code, or with their email."
            )
        )
    password = easy_password()
    with transaction.atomic():
        learner.user.set_password(password)
        learner.user.save(update_fields=["password"])
        activity_record(
            classroom=classroom,
            actor=actor,
            action=ClassActivity.Action.PASSWORD_RESET,
            detail=learner.name,
        )
    return NewAccount(learner=learner, username=learner.user.get_username(), password=password)


@dataclass(frozen=True)
class NewAccount:
    learner: Learner
    username: str
    password: str  # shown once, on the sign-in sheet; only its hash is stored


def easy_password() -> str:
    words = [secrets.choice(PASSWORD_WORDS) for _ in range(3)]
    return "-".join(words) + f"-{secrets.randbelow(90) + 10}"


def classroom_member_add(
    *,
    classroom: Classroom,
    display_name: str,
    preferred_language: str = "",
    username: str = "",
    actor: Actor | None = None,
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
            user=user,
            display_name=display_name,
            preferred_language=preferred_language,
            created_by_school_id=classroom.school_id,
        )
        ClassMembership.objects.create(classroom=classroom, learner=learner)
        if actor is not None:
            activity_record(
                classroom=classroom,
                actor=actor,
                action=ClassActivity.Action.LEARNER_ADDED,
                detail=display_name,
            )
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


def roster_import(*, classroom: Classroom, data: bytes, actor: Actor | None = None) -> RosterReport:
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
                actor=actor,
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
