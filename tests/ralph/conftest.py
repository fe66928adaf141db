"""Load the Ralph fixtures when the root conftest has not already done so.

The root ``conftest.py`` is expected to declare
``pytest_plugins = ["tests.ralph.fixtures"]``; this keeps ``pytest tests/ralph``
working without it, and never registers the plugin twice.
"""

import pytest

PLUGIN = "tests.ralph.fixtures"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
