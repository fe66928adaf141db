"""Demo people: a school, an educator with two classes, a school administrator, a helper (the
school's help desk) with requests from families in four languages, a caregiver with two
children, assignments with due dates, and synthetic progress for the dashboard.

Idempotent like the rest of the demo: accounts, classes and assignments are found by name, and
every synthetic event has a fixed id, so a second run records nothing new.
"""

from __future__ import annotations

import functools
import random
import secrets
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, LessonPage, ModulePage
from lms.models import (
    Assignment,
    ClassMembership,
    Classroom,
    EventKind,
    HelpPlace,
    HelpRequest,
    Household,
    Learner,
    School,
    StaffRole,
)
from lms.services.classes import classroom_create
from lms.services.help import (
    HelpAsk,
    help_desk_make_site_default,
    help_desk_save,
    help_place_add,
    help_reply_send,
    help_request_assign,
    help_request_called_back,
    help_request_create,
    help_request_status_set,
)
from lms.services.households import household_create
from lms.services.progress import EventInput, learner_event_record

DEMO_PASSWORD = "puente-demo"  # noqa: S105 - documented demo accounts
DEMO_PIN = "2468"
NAMESPACE = uuid.UUID("0f7e3c41-2a9b-4d5e-8f61-7a2b3c4d5e6f")

FAMILY_NIGHT_NAMES = [
    "María G.",
    "José R.",
    "Nguyen T.",
    "Li W.",
    "Fatima A.",
    "Ana P.",
    "Carlos M.",
    "Huong L.",
    "Wei C.",
    "Amina S.",
    "Rosa D.",
    "Luis F.",
    "Thanh N.",
    "Mei Z.",
    "Yusuf K.",
    "Lucía H.",
    "Jorge V.",
    "Linh P.",
    "Jun Y.",
    "Layla B.",
    "Sofía T.",
    "Pedro C.",
    "Mai H.",
    "Xin L.",
    "Omar E.",
    "Elena Q.",
    "Diego S.",
    "Trang V.",
    "Hui M.",
    "Nadia R.",
]
LANGUAGES = ["es", "es", "vi", "zh-hans", "ar", "en"]


class DemoAccounts:
    """Makes the demo's accounts: with the documented password on a laptop, with a password of
    their own on a real site (kept in ``made`` to show once)."""

    def __init__(self, report: list[str], *, production: bool) -> None:
        self.report = report
        self.production = production
        self.made: dict[str, str] = {}

    @functools.cached_property
    def _demo_password_hash(self) -> str:
        """Hashing a password costs a quarter of a second (it is meant to): the documented
        demo password is hashed once for all ~35 accounts, not once each."""
        return make_password(DEMO_PASSWORD)

    def user(self, username: str, first: str = "", last: str = ""):
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12) if self.production else DEMO_PASSWORD
            user = user_model.objects.create(
                username=user_model.normalize_username(username),
                password=make_password(password) if self.production else self._demo_password_hash,
                first_name=first,
                last_name=last,
            )
            self.report.append(f"user {username}")
            if self.production:
                self.made[username] = password
        return user


def demo_people_load(report: list[str], *, production: bool = False) -> dict[str, str]:
    """Create (once) the demo's people, classes, assignments and (not on a real site) three
    weeks of made-up progress. Returns the passwords made for new accounts on a real site."""
    accounts = DemoAccounts(report, production=production)
    _user = accounts.user
    school, _created = School.objects.get_or_create(name="Lincoln Elementary School")
    educator = _user("maestra.lopez", "Elena", "López")
    StaffRole.objects.get_or_create(user=educator, school=school, role=StaffRole.Role.EDUCATOR)
    principal = _user("director.kim", "Daniel", "Kim")
    StaffRole.objects.get_or_create(
        user=principal, school=school, role=StaffRole.Role.ADMINISTRATOR
    )

    family_night = _classroom(school, "Family Tech Night (Tuesdays)", educator, report)
    room_12 = _classroom(school, "Grade 3, Room 12", educator, report)

    learners = []
    for number, name in enumerate(FAMILY_NIGHT_NAMES, start=1):
        user = _user(f"family{number:02d}")
        learner = _learner(user, name, LANGUAGES[number % len(LANGUAGES)])
        ClassMembership.objects.get_or_create(classroom=family_night, learner=learner)
        learners.append(learner)

    caregiver = _user("rosa", "Rosa", "Díaz")
    rosa = _learner(caregiver, "Rosa", "es")
    pin = f"{secrets.randbelow(10**6):06d}" if production else DEMO_PIN
    household = Household.objects.filter(caregiver=caregiver).first()
    if household is None:
        household = household_create(caregiver=caregiver, pin=pin)
        if production:
            accounts.made["rosa (household PIN)"] = pin
    children = [_child(household, "Ana", "es"), _child(household, "Leo", "en")]
    ClassMembership.objects.get_or_create(classroom=family_night, learner=rosa)
    for child in children:
        ClassMembership.objects.get_or_create(classroom=room_12, learner=child)

    modules = list(ModulePage.objects.live().filter(locale__language_code="en").order_by("path"))
    course = CoursePage.objects.live().filter(locale__language_code="en").first()
    today = timezone.localdate()
    if len(modules) >= 5 and course is not None:
        _assign(
            family_night,
            modules[0],
            educator,
            today - timedelta(days=3),
            "Bring your phone charger next Tuesday!",
        )
        _assign(family_night, modules[2], educator, today + timedelta(days=7), "")
        _assign(family_night, modules[4], educator, today + timedelta(days=14), "")
        _assign(
            room_12,
            modules[2],
            educator,
            today + timedelta(days=10),
            "Do this one together with a grown-up.",
        )
        _assign(room_12, course, educator, None, "")
        if not production:
            _synthetic_progress(learners + [rosa, *children], modules[:3] + [modules[4]], report)
    helper = _user("ayuda.nguyen", "Thanh", "Nguyen")
    StaffRole.objects.get_or_create(user=helper, school=school, role=StaffRole.Role.HELPER)
    _help_desk(school)
    if not production:
        _help_requests(helper, [children[0], *learners[2:5]], report)
    return accounts.made


def _help_desk(school: School) -> None:
    """The school's help desk answers every family of the site who is in no class, too."""
    help_desk_save(
        school=school, phone="555 010 2030", hours="Mon-Thu 3-7 pm, Sat 10 am-1 pm", language="en"
    )
    help_desk_make_site_default(school=school)
    if not HelpPlace.objects.filter(school=school).exists():
        help_place_add(
            school=school,
            name="Biblioteca Pública Central",
            address="200 Main St",
            hours="Martes y jueves 4-7 pm: ayuda con teléfonos",
            language="es",
        )
        help_place_add(
            school=school,
            name="Eastside Community Center",
            address="45 Oak Ave",
            hours="Saturdays 10 am-2 pm, digital navigator on site",
            language="en",
        )


# (message, language, what happened next) for a child on the shared phone and three families.
HELP_REQUESTS = [
    ("No puedo oír al doctor en la videollamada. ¿Qué hago?", "es", "new"),
    ("Tôi quên mật khẩu ứng dụng của trường.", "vi", "answered"),
    ("我的手机连不上学校的Wi-Fi。", "zh-hans", "in-progress"),
    ("لا أعرف كيف أفتح رسالة المعلمة.", "ar", "called-back"),
]


def _help_requests(helper, learners: list[Learner], report: list[str]) -> None:
    lessons = list(LessonPage.objects.live().filter(locale__language_code="en").order_by("path"))
    for number, (learner, (message, language, state)) in enumerate(
        zip(learners, HELP_REQUESTS, strict=True)
    ):
        client_id = uuid.uuid5(NAMESPACE, f"help/{number}")
        if HelpRequest.objects.filter(client_id=client_id).exists():
            continue
        lesson = lessons[number * 3] if len(lessons) > number * 3 else None
        request, _created = help_request_create(
            learner=learner,
            ask=HelpAsk(
                client_id=client_id,
                message=message,
                language=language,
                lesson_key=lesson.translation_key if lesson else None,
                contact="call" if state == "called-back" else "puente",
                phone="555 010 9988" if state == "called-back" else "",
                consent=state == "called-back",
                best_time="evening",
            ),
            now=timezone.now() - timedelta(days=3 - number % 3, hours=number),
        )
        if state == "in-progress":
            help_request_assign(request=request, user=helper)
        elif state == "answered":
            help_reply_send(
                request=request,
                author=helper,
                text="Mở Cài đặt, chạm Mật khẩu, rồi chọn ứng dụng của trường.",
                language="vi",
            )
        elif state == "called-back":
            help_request_called_back(request=request, user=helper)
            help_request_status_set(request=request, status="closed")
        report.append(f"help request {number + 1} ({language}, {state})")


def _learner(user, display_name: str, language: str) -> Learner:
    learner, _created = Learner.objects.get_or_create(
        user=user, defaults={"display_name": display_name, "preferred_language": language}
    )
    return learner


def _child(household: Household, name: str, language: str) -> Learner:
    child = household.members.filter(user__isnull=True, display_name=name).first()
    return child or Learner.objects.create(
        household=household, display_name=name, preferred_language=language
    )


def _classroom(school: School, name: str, educator, report: list[str]) -> Classroom:
    classroom = Classroom.objects.filter(school=school, name=name).first()
    if classroom is None:
        classroom = classroom_create(school=school, name=name, educator=educator)
        report.append(f"class {name}")
    return classroom


def _assign(classroom: Classroom, page: Page, educator, due_on, note: str) -> None:
    assignment, created = Assignment.objects.get_or_create(
        classroom=classroom,
        activity_key=page.translation_key,
        defaults={
            "activity_type": page.specific_class.lms_activity_type,
            "assigned_by": educator,
            "due_on": due_on,
            "note": note,
            "note_language": "en" if note else "",
        },
    )
    if created:
        # Assigned three weeks ago, as the synthetic progress is: never after its own due date.
        assigned_on = timezone.now() - timedelta(days=21)
        Assignment.objects.filter(pk=assignment.pk).update(created_at=assigned_on)


def _synthetic_progress(learners: list[Learner], modules: list[ModulePage], report) -> None:
    """Each learner gets a steady pace through the assigned modules over the last 3 weeks."""
    lessons = list(LessonPage.objects.live().filter(locale__language_code="en").order_by("path"))
    by_module = {
        module.pk: [lesson for lesson in lessons if lesson.path.startswith(module.path)]
        for module in modules
    }
    now = timezone.now()
    recorded = 0
    for learner in learners:
        # Seeded by the learner's name, so every run draws the same pace and answers.
        chance = random.Random(learner.name)  # noqa: S311 - demo data, not security
        to_do = [lesson for module in modules for lesson in by_module[module.pk]]
        done = to_do[: chance.randint(0, len(to_do))]
        for index, lesson in enumerate(done):
            moment = now - timedelta(
                days=21 - 20 * index / max(len(done), 1), hours=chance.random()
            )
            recorded += _lesson_events(learner, lesson, moment, chance)
    if recorded:
        report.append(f"{recorded} synthetic learner events")


def _lesson_events(learner: Learner, lesson: LessonPage, moment, chance: random.Random) -> int:
    def event(kind: EventKind, step: int, **details) -> EventInput:
        return EventInput(
            event_id=uuid.uuid5(NAMESPACE, f"{learner.actor_id}/{lesson.translation_key}/{step}"),
            kind=kind,
            lesson_key=lesson.translation_key,
            occurred_at=moment + timedelta(minutes=step),
            language=learner.preferred_language or "en",
            **details,
        )

    events = [event(EventKind.VIEWED, 0)]
    for step, question in enumerate(lesson.lms_questions(), start=1):
        right = chance.random() < 0.75
        chosen = [c.id for c in question.choices if c.correct == right] or [question.choices[0].id]
        events.append(
            event(
                EventKind.ANSWERED,
                step,
                question_id=question.id,
                choice_ids=tuple(chosen[:1] if not right else chosen),
            )
        )
        if not right:  # try again, and get it right
            correct = tuple(c.id for c in question.choices if c.correct)
            events.append(
                event(EventKind.ANSWERED, step + 50, question_id=question.id, choice_ids=correct)
            )
    events.append(event(EventKind.COMPLETED, 99))
    new = 0
    for item in events:
        outcome = learner_event_record(learner=learner, event=item, now=timezone.now())
        new += not outcome.duplicate
    return new
