from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from lms.models import Learner
from lms.selectors.learners import active_learner
from lms.services.learners import learner_for_user

LEARNER_HEADER = "HTTP_X_PUENTE_LEARNER"


def api_learner(request: Request) -> Learner:
    """The learner an API call speaks for.

    With the site's session: whoever is learning on the (maybe shared) phone right now — or,
    when the phone sends events it queued offline, the profile that made them (the
    ``X-Puente-Learner`` header), which must be the account's own or one of its household's
    children. With a token: the token's own account.
    """
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        return learner_for_user(user=request.user)
    chosen = request.META.get(LEARNER_HEADER)
    if not chosen:
        return active_learner(request._request)
    own = learner_for_user(user=request.user)
    if chosen == str(own.pk):
        return own
    child = (
        Learner.objects.filter(
            pk=chosen, household__caregiver=request.user, user__isnull=True
        ).first()
        if chosen.isdigit()
        else None
    )
    if child is None:
        raise PermissionDenied("These events belong to a profile this account cannot write for.")
    return child
