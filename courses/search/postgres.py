"""Wagtail's PostgreSQL search with each page indexed, and each query parsed, in the rules of
its own language (Wagtail's backend uses one SEARCH_CONFIG for every page).

Set as ``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]`` when the database is PostgreSQL. A
query uses the configuration of the active language: search pages filtered to that language's
locale (``courses.search.selectors.pages_search`` does).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import translation
from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)

from courses.search.languages import search_config


class LanguageQueryCompiler(PostgresSearchQueryCompiler):
    def get_config(self, backend) -> str:
        return search_config(translation.get_language() or "en")


class LanguageIndex(PostgresIndex):
    def add_items(self, model, objs) -> None:
        by_config = defaultdict(list)
        for obj in objs:
            locale = getattr(obj, "locale", None)
            by_config[search_config(locale.language_code) if locale else None].append(obj)
        for config, group in by_config.items():
            with self.backend.indexing_in(config):
                super().add_items(model, group)


class LanguageSearchBackend(PostgresSearchBackend):
    query_compiler_class = LanguageQueryCompiler
    index_class = LanguageIndex

    def __init__(self, params: dict) -> None:
        self._indexing = threading.local()
        super().__init__(params)

    # The base class reads ``self.config`` when it turns an object into a vector: while a
    # group of one language is indexed (on this thread), that is the group's configuration.
    @property
    def config(self) -> str | None:
        return getattr(self._indexing, "config", None) or self._default_config

    @config.setter
    def config(self, value: str | None) -> None:
        self._default_config = value

    @contextmanager
    def indexing_in(self, config: str | None) -> Iterator[None]:
        self._indexing.config = config
        try:
            yield
        finally:
            self._indexing.config = None


SearchBackend = LanguageSearchBackend
