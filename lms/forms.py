from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from lms.conf import lms_setting


class UsernameCharacters(UnicodeUsernameValidator):
    # Django's own words, here so that Puente's catalogues can translate them well.
    message = _(
        "Enter a valid username. This value may contain only letters, numbers, and "
        "@/./+/-/_ characters."
    )


class SignupForm(UserCreationForm):
    """A username and a password are enough; an email address is optional."""

    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Only to help you if you forget your password."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=30,
        help_text=_("Only for your school or liaison to reach you. Never shared."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for lessons"), choices=settings.LANGUAGES
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)
        labels = {"username": _("Username")}
        help_texts = {
            "username": _(
                "Letters and numbers, with no spaces. You can use . or - between words, "
                "like maria.lopez."
            )
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not lms_setting("EMAIL_RESET"):  # no mail server: promise nothing about passwords
            self.fields["email"].help_text = _("Only for your school to reach you. Never shared.")
        # The characters are checked in clean_username, after the check for spaces.
        field = self.fields["username"]
        field.validators = [
            validator
            for validator in field.validators
            if not isinstance(validator, UnicodeUsernameValidator)
        ]

    def clean_username(self) -> str:
        """A name typed with spaces ("maria lopez") gets a suggestion it can use instead."""
        username = self.cleaned_data.get("username", "")
        if any(character.isspace() for character in username):
            suggestion = ".".join(username.split())
            raise forms.ValidationError(
                _("A username cannot have spaces. Try “%(suggestion)s”.")
                % {"suggestion": suggestion},
                code="spaces",
            )
        UsernameCharacters()(username)
        return super().clean_username()
