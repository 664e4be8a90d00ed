"""The failed-messages page, one view for every outbox: the hub lead sees the hub's, curators the
portal's. Each app puts it in its URLs with `failed_messages_page(...)`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from portal.outbox import failures

PAGE_SIZE = 25


def _message_id(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("message", ""))
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


def failed_messages_page(
    *, label: str, permission: str, back_url_name: str, back_label: str
) -> Callable[[HttpRequest], HttpResponse]:
    """A view listing `label`'s failed messages, for users with `permission`, with a button
    to try each again."""

    @never_cache
    @login_required
    @permission_required(permission, raise_exception=True)
    @require_http_methods(["GET", "POST"])
    def failed_messages(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            message_id = _message_id(request)
            if message_id and failures.do_retry_failed(label=label, message_id=message_id):
                messages.success(request, "The email will be sent again in the next few minutes.")
            else:
                messages.info(request, "That email is no longer waiting to be tried again.")
            return redirect(request.path)
        page = Paginator(failures.failed(label), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "rows": [failures.describe(message) for message in page],
            "back_url": reverse(back_url_name),
            "back_label": back_label,
        }
        return render(request, "portal/outbox_failed.html", context)

    # The decorators are untyped (rules'), so name the view's type once here.
    view: Callable[[HttpRequest], HttpResponse] = failed_messages
    return view
