"""Finding integration tokens and what each may reach: only its own school."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from lms.models import IntegrationToken, Learner, School
from lms.services.integrations import TOKEN_KIND, secret_hash


def integration_token_find(raw: str) -> IntegrationToken | None:
    """The token ``raw`` names, revoked or not; None for anything else."""
    kind, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if kind != TOKEN_KIND or not prefix or not secret:
        return None
    token = IntegrationToken.objects.select_related("school").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, secret_hash(secret)):
        return None
    return token


def integration_learner(token: IntegrationToken, learner_id: object) -> Learner | None:
    """A learner in one of the token's school's classes."""
    if not isinstance(learner_id, int) or isinstance(learner_id, bool):
        return None
    return (
        Learner.objects.filter(pk=learner_id, memberships__classroom__school_id=token.school_id)
        .distinct()
        .first()
    )


def integration_tokens_for(schools: QuerySet[School]) -> QuerySet[IntegrationToken]:
    """The tokens of these schools (an administrator's, see lms.access.administered_schools)."""
    return IntegrationToken.objects.filter(school__in=schools).select_related("school")
