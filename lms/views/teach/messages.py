"""Messages from a class to its families (an announcement on every learner's home)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.models import ClassMessage
from lms.selectors.assignments import messages_for_classroom
from lms.services.classes import ClassError
from lms.services.messages import MESSAGE_MAX, class_message_delete, class_message_send
from lms.views.access import staff
from lms.views.teach.common import acting, reachable_classroom


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message to the families"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("It shows on each learner's home, and on a caregiver's."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("The message is written in"), choices=settings.LANGUAGES
    )


@staff
def class_messages(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = reachable_classroom(request, classroom_id)
    form = MessageForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            class_message_send(classroom=classroom, actor=acting(request), **form.cleaned_data)
        except ClassError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Sent. Families see it on their home page."))
            return redirect("lms:messages", classroom_id=classroom.pk)
    return render(
        request,
        "lms/teach/messages.html",
        {
            "classroom": classroom,
            "form": form,
            "sent": messages_for_classroom(classroom=classroom),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff
@require_POST
def class_message_remove(request: HttpRequest, classroom_id: int, message_id: int) -> HttpResponse:
    classroom = reachable_classroom(request, classroom_id)
    message = ClassMessage.objects.filter(pk=message_id, classroom=classroom).first()
    if message is None:
        raise Http404
    class_message_delete(message=message, actor=acting(request))
    messages.success(request, _("The message is deleted."))
    return redirect("lms:messages", classroom_id=classroom.pk)
