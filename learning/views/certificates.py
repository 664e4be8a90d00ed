"""Certificates of completion: asking for one for a completed resource or a whole level, the
printable certificate, and the public page where a manager or an appraiser checks its
verification code without signing in (it shows only what the certificate shows). ADR 0038.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from learning import certificate_codes
from learning.forms.certificates import CertificateCheckForm, CertificateRequestForm
from learning.models import Certificate, Level
from learning.queries.certificates import certificate_by_code, certificate_of
from learning.queries.resource_page import published_resource
from learning.services.certificates import (
    CertificateRefused,
    do_issue_level_certificate,
    do_issue_resource_certificate,
)
from portal.models import SubmissionKey
from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import create_once

CHECK_ACTION = "certificate_check"


def _issued(request: HttpRequest, issue: object) -> HttpResponse:
    form = CertificateRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This page has expired. Select the button again.")
        return redirect("learning:my_learning")
    try:
        made = create_once(SubmissionKey, form.one_time_key, Certificate, issue)  # type: ignore[arg-type]
    except CertificateRefused as refused:
        messages.error(request, str(refused))
        return redirect("learning:my_learning")
    return redirect("learning:certificate", pk=made.pk)


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_POST
def resource_certificate(request: HttpRequest, slug: str) -> HttpResponse:
    """A certificate for a resource the user completed (the same one if asked again)."""
    found = published_resource(slug)
    user = signed_in_user(request)
    return _issued(request, lambda: do_issue_resource_certificate(user=user, resource=found))


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_POST
def level_certificate(request: HttpRequest, level: int) -> HttpResponse:
    """A certificate for a whole level the user covered (the same one if asked again)."""
    if level not in Level.values:
        raise Http404("No such level")
    user = signed_in_user(request)
    return _issued(request, lambda: do_issue_level_certificate(user=user, level=level))


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The user's own certificate, to print (one page) or to share its code."""
    found = certificate_of(signed_in_user(request), pk)
    if found is None:
        raise Http404("No such certificate")
    check_url = request.build_absolute_uri(
        f"{_check_path()}?code={certificate_codes.display(found.code)}"
    )
    return render(
        request,
        "learning/certificates/certificate.html",
        {
            "certificate": found,
            "code": certificate_codes.display(found.code),
            "check_url": check_url,
            "check_path": _check_path(),
        },
    )


def _check_path() -> str:
    return reverse("learning:certificate_check")


def _guesses_left(request: HttpRequest) -> bool:
    """Whether this address may try another code: wrong codes count against the limit, as
    failed sign-ins do, so a manager checking real certificates is never stopped."""
    return bool(
        ratelimit.consume(
            request,
            action=CHECK_ACTION,
            config=settings.CERTIFICATE_CHECK_RATE_LIMITS,
            dry_run=True,
            limit_get=True,
        )
    )


def _count_a_wrong_code(request: HttpRequest) -> None:
    ratelimit.consume(
        request,
        action=CHECK_ACTION,
        config=settings.CERTIFICATE_CHECK_RATE_LIMITS,
        limit_get=True,
    )


@require_GET
def check(request: HttpRequest) -> HttpResponse:
    """Public: anyone with a certificate's code sees what the certificate shows, and nothing
    else. A mistyped or made-up code is a plain message; many in a row from one address wait."""
    if "code" not in request.GET:
        return render(request, "learning/certificates/check.html", {"form": CertificateCheckForm()})
    if not _guesses_left(request):
        return render(request, "learning/certificates/too_many.html", status=429)
    form = CertificateCheckForm(request.GET)
    found = certificate_by_code(form.cleaned_data["code"]) if form.is_valid() else None
    if found is None:
        _count_a_wrong_code(request)
        status = 400
        if form.is_valid():
            status = 404
            form.add_error(
                "code",
                "No certificate has this code. Check you have typed it as it is printed; if it "
                "is right, the certificate was not issued by this portal",
            )
        return render(request, "learning/certificates/check.html", {"form": form}, status=status)
    return render(
        request,
        "learning/certificates/verified.html",
        {"certificate": found, "code": certificate_codes.display(found.code)},
    )
