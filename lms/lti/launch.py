"""LTI 1.3 launch validation: django-lti's, made stricter and kinder.

PyLTI1p3 2.0 validates ``iat``/``exp`` with no tolerance for clock skew between a platform and
Puente, and never consumes a launch's nonce, so the same ``id_token`` can be posted again.
Both are fixed here (pinned versions: these override internal methods).
"""

from __future__ import annotations

import jwt
from lti_tool.models import LtiLaunch
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.exception import LtiException

CLOCK_SKEW_SECONDS = 60


class PuenteMessageLaunch(DjangoMessageLaunch):
    def validate_jwt_signature(self):
        public_key, algorithm = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[algorithm],
                options=self._jwt_verify_options,
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.InvalidTokenError as error:
            raise LtiException(f"Can't decode id_token: {error}") from error
        return self

    def save_launch_data(self):
        super().save_launch_data()
        # Consume the nonce once the launch is fully valid: a replayed id_token is refused.
        nonce = self._get_jwt_body()["nonce"]
        storage = self._session_service.data_storage
        key = storage._prepare_key(self._session_service._get_key("nonce", nonce))
        storage._get_cache().delete(key)
        return self


def launch_validate(request) -> LtiLaunch:
    """The validated launch of a platform's POST, or LtiException saying what is wrong."""
    message_launch = PuenteMessageLaunch(
        request, DjangoToolConfig(), launch_data_storage=DjangoCacheDataStorage()
    )
    message_launch.validate()
    return LtiLaunch(message_launch)
