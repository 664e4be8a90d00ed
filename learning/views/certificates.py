"""Certificates of completion: asking for one for a completed resource or a whole level, the
printable certificate, the public page where a manager or an appraiser checks its verification
code without signing in (it shows only what the certificate shows), and a curator finding one
by its code and withdrawing it. ADR 0038, ADR 0046.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learning import certificate_codes
from learning.forms.certificates import (
    CertificateCheckForm,
    CertificateRequestForm,
    WithdrawCertificateForm,
)
from learning.models import Certificate, Level
from learning.queries.certificates import certificate_by_code, certificate_of
from learning.queries.curation import display_name
from learning.queries.resource_page import published_resource
from learning.services.certificates import (
    CertificateRefused,
    do_issue_level_certificate,
    do_issue_resource_certificate,
    do_withdraw_certificate,
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


# --- Curators: find a certificate by its code, and withdraw it ----------------------------------


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def curate_certificates(request: HttpRequest) -> HttpResponse:
    """A curator finds a certificate by the code printed on it: who holds it, what for, and
    whether it stands, with the way to withdraw it. Curators are signed in and few, so a wrong
    code is not counted against a limit as on the public check."""
    if "code" not in request.GET:
        form = CertificateCheckForm()
        return render(request, "learning/curate/certificates.html", {"form": form})
    form = CertificateCheckForm(request.GET)
    found, status = None, 400
    if form.is_valid():
        found = certificate_by_code(form.cleaned_data["code"])
        status = 200 if found else 404
        if found is None:
            form.add_error("code", "No certificate has this code. Check it is typed as printed")
    return render(
        request,
        "learning/curate/certificates.html",
        {
            "form": form,
            "certificate": found,
            "code": certificate_codes.display(found.code) if found else "",
            "withdrawn_by": display_name(found.withdrawn_by) if found and found.withdrawn else "",
        },
        status=status,
    )


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def curate_certificate_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Certificate, pk=pk)
    code = certificate_codes.display(found.code)
    back = f"{reverse('learning:curate_certificates')}?code={code}"
    if found.withdrawn:
        messages.error(request, "This certificate has already been withdrawn.")
        return redirect(back)
    form = WithdrawCertificateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_withdraw_certificate(
                certificate_id=found.pk,
                reason=form.cleaned_data["reason"],
                acting_user=signed_in_user(request),
            )
        except CertificateRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                f"The certificate {code} is withdrawn. Checking its code now says it is no "
                "longer valid.",
            )
        return redirect(back)
    return render(
        request,
        "learning/curate/certificate_withdraw.html",
        {"form": form, "certificate": found, "code": code, "back_url": back},
        status=400 if form.errors else 200,
    )
