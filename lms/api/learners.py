from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from lms.models import Learner
from lms.selectors.learners import active_learner
from lms.services.learners import learner_for_user


def api_learner(request: Request) -> Learner:
    """The learner an API call speaks for: with the site's session, whoever is learning on
    the (maybe shared) phone right now; with a token, the token's own account."""
    if isinstance(request.successful_authenticator, SessionAuthentication):
        return active_learner(request._request)
    return learner_for_user(user=request.user)
