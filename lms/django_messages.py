# ruff: noqa: RUF001 (Django's messages use typographic apostrophes)
"""Django's own messages that reach a family's pages (form errors, password rules, the labels of
Django's password forms), marked here so that ``make messages`` copies them into the plugin's
catalogues.

Django translates them into the languages it ships. Haitian Creole, Somali and Hmong it does
not, and without this list a family using one of them would meet English exactly where it
matters most: the error that says why a form was refused. The text must match Django's msgid
character for character (its curly apostrophes included). Never imported: only read by
``makemessages``.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MESSAGES = [
    # django.forms
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    # django.contrib.auth: forms and password validators
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Password"),
    gettext_noop("Password confirmation"),
    gettext_noop("Email"),
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("username"),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    # The names of the languages lessons are written in (django.conf.global_settings): "this
    # lesson is in English", "no voice reads Arabic".
    gettext_noop("English"),
    gettext_noop("Spanish"),
    gettext_noop("Vietnamese"),
    gettext_noop("Simplified Chinese"),
    gettext_noop("Arabic"),
    # django.utils.timesince ("active 2 days, 3 hours ago")
    gettext_noop(", "),
]

DJANGO_PLURAL_MESSAGES = [
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    # django.utils.timesince
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]
