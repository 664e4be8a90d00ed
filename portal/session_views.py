"""Your sessions: where you are signed in, and signing out of the others."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.models import UserSession
from portal.sessions import do_end_sessions, live_sessions_of, remember_session
from portal.signed_in import signed_in_user

ALL_OTHERS = "all-others"


class EndSessionForm(forms.Form):
    """Which of your other sessions to sign out of: one of them, or all of them.

    Sessions are named by their row id, never their key: a session key is a credential.
    """

    session = forms.ChoiceField()

    def __init__(self, *args: Any, others: list[UserSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.others = others
        field = self.fields["session"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(other.pk), other.device) for other in others]
        field.choices += [(ALL_OTHERS, "All other sessions")]

    def sessions_to_end(self) -> list[UserSession]:
        chosen = self.cleaned_data["session"]
        return (
            self.others if chosen == ALL_OTHERS else [s for s in self.others if str(s.pk) == chosen]
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def your_sessions(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    # The current session's row may be missing if its key changed a moment ago (password change).
    remember_session(request, user, time.time())
    current_key = request.session.session_key
    sessions = live_sessions_of(user)
    others = [session for session in sessions if session.session_key != current_key]
    if request.method == "POST":
        form = EndSessionForm(request.POST, others=others)
        if not form.is_valid():
            # A page left open after that session ended elsewhere: nothing left to do.
            messages.info(request, "That session had already ended.")
            return redirect("your_sessions")
        ending = form.sessions_to_end()
        do_end_sessions(sessions=ending)
        if form.cleaned_data["session"] == ALL_OTHERS:
            messages.success(request, "You have signed out of all your other sessions.")
        else:
            messages.success(request, f"You have signed out of {ending[0].device}.")
        return redirect("your_sessions")
    context = {"sessions": sessions, "current_key": current_key, "others": others}
    return render(request, "portal/sessions.html", context)
