"""The portal's URLs plus one bare view, for the benchmark only (bench/settings.py uses this).

The bare view is the framework's baseline: a signed-in request through the whole middleware
stack (session, user, CSRF, messages, CSP, the timeout, MFA and profile gates) to a view that
does nothing; the second renders base.html with no content. It lives here rather than in portal/urls.py so that production has no URL that
exists only for benchmarks.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal import urls as portal_urls

BARE_PATH = "/bench/bare/"
BARE_TEMPLATE_PATH = "/bench/bare-template/"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def bare_template(request: HttpRequest) -> HttpResponse:
    """The second baseline: the same request rendering base.html (header, menu, footer, the
    context processors) with no content, so a page's template cost shows against it."""
    return render(request, "base.html", {})


urlpatterns = [
    path(BARE_PATH.strip("/") + "/", bare),
    path(BARE_TEMPLATE_PATH.strip("/") + "/", bare_template),
    *portal_urls.urlpatterns,
]

# The portal's error handlers, if it sets any, apply here too.
for _handler in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(portal_urls, _handler):
        globals()[_handler] = getattr(portal_urls, _handler)
