import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lms.conf import lms_setting
from lms.models import BestTime, ContactWay
from lms.services.help import MESSAGE_MAX, PHONE_MAX, HelpAsk


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


def request_uuid(value: object) -> uuid.UUID | None:
    """A UUID the page sent, or None (an old or hand-made form: the request still goes)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class HelpForm(forms.Form):
    # Made by the page (or the phone, offline): the same request sent twice is kept once.
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    lesson = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    question = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("What do you need help with?"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Write in any language. Tell us what you tried."),
    )
    contact = forms.ChoiceField(
        label=_("How should we answer?"),
        choices=ContactWay.choices,
        initial=ContactWay.PUENTE,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Phone number (only to call or text you)"),
        max_length=PHONE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    consent = forms.BooleanField(
        label=_(
            "You may use this number to call or text me about this request. "
            "It is not used for anything else."
        ),
        required=False,
    )
    best_time = forms.ChoiceField(
        label=_("Best time to reach you"), choices=BestTime.choices, initial=BestTime.ANY
    )

    def ask(self) -> HelpAsk:
        data = self.cleaned_data
        return HelpAsk(
            client_id=request_uuid(data.get("request_id")) or uuid.uuid4(),
            message=data["message"],
            language=get_language(),
            lesson_key=request_uuid(data.get("lesson")),
            question_id=data.get("question") or "",
            contact=data["contact"],
            phone=data.get("phone") or "",
            consent=data.get("consent", False),
            best_time=data["best_time"],
        )
