from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LearnerModelBackend(ModelBackend):
    """Django's model backend, loading the learner profile with the user in one query.

    Every signed-in page needs both, so this saves a query per request.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("learner").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
