from wagtail import hooks

from lms.lti.admin_views import LtiRegistrationViewSet


@hooks.register("register_admin_viewset")
def register_lti_registrations():
    return LtiRegistrationViewSet("lti_platforms")
