"""A small world of people for the households, classes and permissions tests.

School A: educator ``teacher`` teaches class A1 (learner ``ana``, and ``carmen``'s child
Kiko); educator ``teacher2`` teaches class A2 (learner ``beto``); ``principal`` administers
school A. School B: ``principal_b`` administers it and sees nothing of school A. Caregiver
``dora`` has a child Dani in no class.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.models import Classroom, Household, Learner, School, StaffRole
from lms.services.classes import classroom_create, classroom_join
from lms.services.households import household_child_add, household_create
from lms.services.learners import learner_for_user, learner_sign_up
from tests.conftest import PASSWORD

PIN = "1357"


@dataclass
class World:
    school: School
    other_school: School
    class_a1: Classroom
    class_a2: Classroom
    users: dict  # role -> User (None for anonymous)
    learners: dict  # name -> Learner
    household: Household
    other_household: Household
    child: Learner  # Kiko, in class A1
    other_child: Learner  # Dani, in no class


def account(username: str):
    return learner_sign_up(username=username, password=PASSWORD).user


def staff(username: str, school: School, role: str):
    user = account(username)
    StaffRole.objects.create(user=user, school=school, role=role)
    return user


def build_world() -> World:
    school = School.objects.create(name="School A")
    other_school = School.objects.create(name="School B")
    teacher = staff("teacher", school, StaffRole.Role.EDUCATOR)
    teacher2 = staff("teacher2", school, StaffRole.Role.EDUCATOR)
    principal = staff("principal", school, StaffRole.Role.ADMINISTRATOR)
    principal_b = staff("principal_b", other_school, StaffRole.Role.ADMINISTRATOR)
    class_a1 = classroom_create(school=school, name="A1", educator=teacher)
    class_a2 = classroom_create(school=school, name="A2", educator=teacher2)

    ana, beto = account("ana"), account("beto")
    classroom_join(code=class_a1.join_code, learner=learner_for_user(user=ana))
    classroom_join(code=class_a2.join_code, learner=learner_for_user(user=beto))

    carmen, dora = account("carmen"), account("dora")
    household = household_create(caregiver=carmen, pin=PIN)
    child = household_child_add(household=household, display_name="Kiko", preferred_language="es")
    classroom_join(code=class_a1.join_code, learner=child)
    other_household = household_create(caregiver=dora, pin="9999")
    other_child = household_child_add(
        household=other_household, display_name="Dani", preferred_language="en"
    )
    users = {
        "anonymous": None,
        "learner": ana,
        "other_learner": beto,
        "caregiver": carmen,
        "other_caregiver": dora,
        "educator": teacher,
        "other_educator": teacher2,
        "administrator": principal,
        "other_administrator": principal_b,
    }
    return World(
        school=school,
        other_school=other_school,
        class_a1=class_a1,
        class_a2=class_a2,
        users=users,
        learners={"ana": learner_for_user(user=ana), "beto": learner_for_user(user=beto)},
        household=household,
        other_household=other_household,
        child=child,
        other_child=other_child,
    )
