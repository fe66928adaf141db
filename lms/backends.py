import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from lms.prepared import PreparedLookup

# Every signed-in request reads its user and learner: the SQL is built once (lms.prepared).
_user_with_learner = PreparedLookup(
    lambda pk: get_user_model()._default_manager.select_related("learner").filter(pk=pk),
    marker=987_654_321,
)


def username_key(username: str) -> str:
    """A username as people mean it: Unicode-normalised (NFKC, as Django's sign-in form does),
    trimmed and case-folded. Rate limits count tries under this key, so "Rosa", "rosa" and a
    full-width "Rosa" (U+FF32...) are one account to them."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


class LearnerModelBackend(ModelBackend):
    """Django's model backend, with usernames that ignore case, and the learner profile loaded
    with the user in one query.

    Families type "Rosa" for "rosa" on a phone that capitalises the first letter. An exact
    match wins; otherwise a match that differs only in case, if there is exactly one (sign-up
    refuses a username that differs from another only in case, so there is one).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = unicodedata.normalize("NFKC", username).strip()
        manager = user_model._default_manager
        field = user_model.USERNAME_FIELD
        user = manager.filter(**{field: username}).first()
        if user is None:
            matches = list(manager.filter(**{f"{field}__iexact": username})[:2])
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            # As Django does: run the hasher once so that a missing user takes as long.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _user_with_learner.get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
