"""The outbox claim at scale: how long a delivery worker's claim of 100 due statements takes
with an empty history, and with 1,000,000 delivered rows (and their statements) behind it,
on PostgreSQL, with the query plans.

The claim must read only the pending rows (the partial index on pending deliveries), so its
cost must not grow with the history that production keeps.

    .venv/bin/python bench/outbox_claim.py [--rows 1000000] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import DEFAULT_POSTGRES_URL, build_site, percentile, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="delivered rows to add")
    parser.add_argument("--pending", type=int, default=1000, help="due rows waiting")
    parser.add_argument("--claims", type=int, default=200, help="timed claims per state")
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES_URL)
    return parser.parse_args()


STATEMENT = """{"id": "%s", "actor": {"objectType": "Agent", "account": {"homePage":
"https://puente.example.org", "name": "bench"}}, "verb": {"id":
"http://adlnet.gov/expapi/verbs/experienced"}, "object": {"id":
"https://puente.example.org/xapi/activities/lesson/bench"}}"""


def add_rows(cursor, endpoint_id: int, count: int, status: str) -> None:
    """Statements and their deliveries in bulk, made by PostgreSQL itself (generate_series)."""
    cursor.execute(
        """
        WITH made AS (
            INSERT INTO lms_statement (id, verb, payload, created_at)
            SELECT gen_random_uuid(), 'experienced',
                   replace(%s, '%%s', gen_random_uuid()::text)::jsonb,
                   now() - make_interval(secs => n)
            FROM generate_series(1, %s) AS n
            RETURNING id, created_at
        )
        INSERT INTO lms_statementdelivery
            (statement_id, endpoint_id, status, attempts, next_attempt_at, claimed_by,
             last_response, delivered_at)
        SELECT id, %s, %s, 1, created_at, '', '',
               CASE WHEN %s = 'delivered' THEN created_at END
        FROM made
        """,
        [STATEMENT, count, endpoint_id, status, status],
    )


def time_claims(endpoint, claims: int) -> tuple[list[float], int]:
    from django.db import transaction

    from lms.models import StatementDelivery
    from lms.xapi.delivery import deliveries_claim, release_claims

    timings = []
    claimed = 0
    for n in range(claims):
        started = time.perf_counter()
        rows = deliveries_claim(endpoint=endpoint, worker_id=f"bench-{n}", limit=100)
        timings.append((time.perf_counter() - started) * 1000)
        claimed = len(rows)
        with transaction.atomic():
            release_claims(rows, f"bench-{n}")
    assert StatementDelivery.objects.filter(claimed_by__startswith="bench").count() == 0
    return timings, claimed


def time_backlog(runs: int = 20) -> list[float]:
    """What /health/ready reads: the backlog counts."""
    from django.utils import timezone

    from lms.selectors.xapi import outbox_backlog

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        outbox_backlog(now=timezone.now())
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def claim_plan(cursor, endpoint_id: int) -> str:
    from django.db.models import Q
    from django.utils import timezone

    from lms.models import DeliveryStatus, StatementDelivery

    now = timezone.now()
    query = (
        StatementDelivery.objects.filter(endpoint_id=endpoint_id)
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:100]
    )
    sql, params = query.query.sql_with_params()
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql} FOR UPDATE SKIP LOCKED", params)
    return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.db import connection

    from lms.models import LrsEndpoint, StatementDelivery

    build_site(demo=False)
    if connection.vendor != "postgresql":
        raise SystemExit("This bench measures PostgreSQL; give --database-url postgres://...")
    # Every row below is written with its delivery, as statements_enqueue does: the endpoint
    # has nothing to backfill, as a worker would have recorded once it caught up.
    endpoint = LrsEndpoint.objects.create(
        key="bench", name="bench", url="https://lrs.invalid/", backfill_done=True
    )
    with connection.cursor() as cursor:
        add_rows(cursor, endpoint.pk, args.pending, "pending")
        cursor.execute("ANALYZE")
        empty_timings, claimed = time_claims(endpoint, args.claims)
        empty_backlog = time_backlog()
        empty_plan = claim_plan(cursor, endpoint.pk)

        started = time.perf_counter()
        for _ in range(args.rows // 100_000):
            add_rows(cursor, endpoint.pk, 100_000, "delivered")
        add_rows(cursor, endpoint.pk, args.rows % 100_000, "delivered")
        fill_seconds = time.perf_counter() - started
        # History in production is old: autovacuum has been through it and its pages are on
        # disk. Timing right after writing gigabytes would measure the checkpoint instead.
        cursor.execute("VACUUM (ANALYZE) lms_statementdelivery")
        cursor.execute("VACUUM (ANALYZE) lms_statement")
        cursor.execute("CHECKPOINT")
        settle_seconds = time.perf_counter() - started - fill_seconds
        full_timings, claimed_full = time_claims(endpoint, args.claims)
        full_backlog = time_backlog()
        full_plan = claim_plan(cursor, endpoint.pk)
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('lms_statementdelivery'))")
        size = cursor.fetchone()[0]

    total = StatementDelivery.objects.count()
    empty_median = statistics.median(empty_timings)
    full_median = statistics.median(full_timings)
    print(f"\n== outbox claim on PostgreSQL ({args.claims} claims of up to 100 rows each)")
    print(f"{'history':<34} {'rows':>10} {'claimed':>8} {'median ms':>10} {'p99 ms':>8}")
    print(
        f"{'pending rows only':<34} {args.pending:>10} {claimed:>8} {empty_median:>10.2f} "
        f"{percentile(empty_timings, 0.99):>8.2f}"
    )
    print(
        f"{'+ delivered history':<34} {total:>10} {claimed_full:>8} {full_median:>10.2f} "
        f"{percentile(full_timings, 0.99):>8.2f}"
    )
    print(f"ratio (with history / without): {full_median / empty_median:.2f}")
    backlog_empty, backlog_full = statistics.median(empty_backlog), statistics.median(full_backlog)
    print(
        f"readiness backlog counts: {backlog_empty:.2f} ms -> {backlog_full:.2f} ms "
        f"(ratio {backlog_full / backlog_empty:.2f})"
    )
    print(
        f"history added in {fill_seconds:.0f} s, vacuumed in {settle_seconds:.0f} s; "
        f"deliveries table {size}"
    )
    print("\nclaim plan, pending rows only:\n" + empty_plan)
    print(f"\nclaim plan with {total:,} rows:\n" + full_plan)


if __name__ == "__main__":
    main()
