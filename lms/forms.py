from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _


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
