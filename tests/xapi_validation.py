"""Hold statements to the xAPI 1.0.3 rules with Ralph's own pydantic models."""

from typing import Any

from ralph.models.xapi.base.statements import BaseXapiStatement


def assert_valid_statement(statement: dict[str, Any]) -> None:
    BaseXapiStatement(**statement)
    # Privacy: the actor is an opaque account, never a name, an email or an mbox.
    actor = statement["actor"]
    assert set(actor) == {"objectType", "account"}, actor
    assert set(actor["account"]) == {"homePage", "name"}, actor
