"""The account lookup every signed-in request makes, built by the ORM each time or once.

Two lookups: the session's user with their learner profile (every signed-in page), and an API
token with its user and learner (every sync from a phone with a token). Each is timed three
ways, in interleaved rounds on the same database: the ORM queryset as written, the same
queryset compiled once (lms.prepared.PreparedLookup, what Puente runs), and the bare SQL on a
cursor, the floor. SQLite, and PostgreSQL if it answers; each in its own process.

    .venv/bin/python bench/auth_lookup.py [--calls 2000] [--postgres-url URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import add_database_arguments, build_site, measure_in_each_database, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per way, per round")
    parser.add_argument("--rounds", type=int, default=5)
    add_database_arguments(parser)
    return parser.parse_args()


def measure(database_url: str, calls: int, rounds: int) -> None:
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from lms.api.authentication import AccountTokenAuthentication
    from lms.backends import LearnerModelBackend
    from lms.services.learners import learner_sign_up

    build_site(demo=False)
    learner = learner_sign_up(username="bench", password="x" * 12)
    key = Token.objects.create(user=learner.user).key
    user_id = str(learner.user.pk)  # as the session keeps it
    users = get_user_model()._default_manager

    def raw(sql: str, value) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [value])
            cursor.fetchone()

    token_sql, _ = (
        Token.objects.select_related("user__learner").filter(key=key).query.sql_with_params()
    )
    user_sql, _ = users.select_related("learner").filter(pk=1).query.sql_with_params()
    backend, authentication = LearnerModelBackend(), AccountTokenAuthentication()
    ways = {
        "session user: ORM each time": lambda: users.select_related("learner").get(pk=user_id),
        "session user: compiled once": lambda: backend.get_user(user_id),
        "session user: bare SQL": lambda: raw(user_sql, int(user_id)),
        "API token: ORM each time": lambda: (
            Token.objects.select_related("user__learner").filter(key=key).first()
        ),
        "API token: compiled once": lambda: authentication.authenticate_credentials(key),
        "API token: bare SQL": lambda: raw(token_sql, key),
    }
    timings: dict[str, list[float]] = {name: [] for name in ways}
    for call in ways.values():  # warm up: compile, connect
        for _ in range(50):
            call()
    for _ in range(rounds):
        for name, call in ways.items():
            started = time.perf_counter()
            for _ in range(calls):
                call()
            timings[name].append((time.perf_counter() - started) / calls * 1e6)

    print(f"\n== {connection.vendor} ({rounds} rounds of {calls} calls; median µs per call)")
    print(f"{'':32} {'µs':>8} {'x ORM':>7} {'x bare SQL':>11}")
    for lookup in ("session user", "API token"):
        orm = statistics.median(timings[f"{lookup}: ORM each time"])
        bare = statistics.median(timings[f"{lookup}: bare SQL"])
        for way in ("ORM each time", "compiled once", "bare SQL"):
            value = statistics.median(timings[f"{lookup}: {way}"])
            name = f"{lookup}: {way}"
            print(f"{name:32} {value:>8.1f} {value / orm:>7.2f} {value / bare:>11.2f}")


def main() -> None:
    args = parse_args()
    if args.database_url is not None:
        measure(args.database_url, args.calls, args.rounds)
        return
    child_args = ["--calls", str(args.calls), "--rounds", str(args.rounds)]
    measure_in_each_database(__file__, args, child_args)


if __name__ == "__main__":
    main()
