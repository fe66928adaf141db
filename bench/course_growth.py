"""How a lesson's cost grows with its course: render time and SQL queries of a lesson page and
of the course page, for courses of 1, 50 and 500 lessons (modules of up to 10 lessons, every
lesson in English and Spanish and shown in the other languages as an alias, as the editors'
tree is).

The lesson is served as a signed-in learner sees it (rendered for them: the page cache is for
readers who are not signed in) and, with the page cache off, as an anonymous reader's first
visit. Queries must not grow with the course; time may grow only with what the page shows.

    .venv/bin/python bench/course_growth.py [--sizes 1,50,500] [--requests 50]
"""

from __future__ import annotations

import argparse
import time

from common import build_site, page_figures, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,50,500", help="lessons per course")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.test import Client
    from django.test.utils import override_settings

    from lms.services.learners import learner_sign_up
    from tests.factories import build_course_tree

    build_site(demo=False)
    reader = Client(HTTP_ACCEPT_ENCODING="gzip", HTTP_HOST="localhost")
    reader.force_login(learner_sign_up(username="growth", password="x" * 12).user)
    rows = []
    for size in (int(part) for part in args.sizes.split(",")):
        started = time.perf_counter()
        tree = build_course_tree(
            modules=max(1, size // 10), lessons_per_module=min(size, 10), name=f"growth-{size}"
        )
        built = time.perf_counter() - started
        # The last lesson: its module is the course's last, its siblings a full module.
        lesson = tree.lessons[-1].get_url()
        course = tree.course.get_url()
        anyone = Client(HTTP_ACCEPT_ENCODING="gzip", HTTP_HOST="localhost")
        pages = [
            ("lesson, signed in", reader, lesson),
            ("course page, signed in", reader, course),
        ]
        for label, client, url in pages:
            queries, median, p90 = page_figures(client, url, args.requests)
            rows.append((size, label, median, p90, queries, built))
        with override_settings(PUENTE_PAGE_CACHE_SECONDS=0):
            queries, median, p90 = page_figures(anyone, lesson, args.requests)
        rows.append((size, "lesson, anonymous (page cache off)", median, p90, queries, built))

    print(f"\n== lesson and course pages by course size ({args.requests} requests each)")
    print(f"{'lessons':>7}  {'page':<36} {'median ms':>9} {'p90 ms':>7} {'SQL':>4} {'built s':>8}")
    for size, label, median, p90, queries, built in rows:
        print(f"{size:>7}  {label:<36} {median:>9.2f} {p90:>7.2f} {queries:>4} {built:>8.0f}")
    first = {label: median for size, label, median, *_ in rows if size == rows[0][0]}
    last = {label: median for size, label, median, *_ in rows if size == rows[-1][0]}
    print(
        "\ngrowth, largest / smallest course: "
        + "; ".join(f"{label} {last[label] / first[label]:.2f}x" for label in first)
    )


if __name__ == "__main__":
    main()
