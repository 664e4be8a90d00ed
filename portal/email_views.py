"""Unsubscribing from an email's link: no sign-in, one click (RFC 8058), nothing else learned."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.outbox import preferences, registry
from portal.outbox import unsubscribe as tokens


@csrf_exempt  # the signed token is the credential; mail clients POST without a CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST records it."""
    named = tokens.read(token)
    message = preferences.message_for(*named) if named else None
    # A team inbox's email, or a category since retired, has nothing to unsubscribe from.
    category = (
        registry.get(named[0]).categories.get(message.category) if named and message else None
    )
    if named is None or message is None or not message.recipient_ref:
        return render(request, "portal/unsubscribe_invalid.html", status=404)
    if category is None or not category.opt_out:
        return render(request, "portal/unsubscribe_invalid.html", status=404)
    label = named[0]
    done = request.method == "POST"
    if done:
        preferences.opt_out(label, message.recipient_ref, category.key)
    already = not done and preferences.is_opted_out(label, message.recipient_ref, category.key)
    context = {"category": category, "done": done, "already": already}
    return render(request, "portal/unsubscribe.html", context)
