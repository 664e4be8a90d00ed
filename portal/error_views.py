"""The 400 and 500 pages, rendered so that they cannot fail in turn.

Django renders 500.html without the request, so the page lost its CSP nonce (its one inline
script was blocked) and the service's details (an empty phase tag, a "mailto:" link with no
address). Its 400 page runs the context processors, which need `request.user`: a request refused
before the authentication middleware (a forged Host header) failed again and became a 500.
Both pages here get the request and the service's settings, and nothing that reads a database.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader


def _render(request: HttpRequest, template_name: str) -> str:
    context = {
        "request": request,  # for the CSP nonce only: no user, no navigation
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
    return loader.get_template(template_name).render(context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    # The exception's text is never shown: it can quote what the visitor sent.
    return HttpResponseBadRequest(_render(request, "400.html"))


def server_error(request: HttpRequest) -> HttpResponseServerError:
    return HttpResponseServerError(_render(request, "500.html"))
