"""Background tasks of the learning catalogue: the link checker.

The outreach work schedules ``learning.check_resource_links`` with beat; it takes no arguments
and touches no personal data, only resources' public web addresses.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

from celery import shared_task
from django.utils import timezone

from learning.curation import do_record_link_check
from learning.models import Resource

TIMEOUT_SECONDS = 8
PARALLEL_CHECKS = 8
USER_AGENT = "MindAndBodyStaffPortal-LinkChecker/1.0 (checks that learning links still work)"


@dataclass(frozen=True)
class LinkCheck:
    """What a web address answered: its final HTTP status (None if nothing answered)."""

    status: int | None
    broken: bool


def _request(url: str, method: str) -> LinkCheck:
    # check_url lets only http and https addresses through, so no file: or custom scheme.
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = int(response.status)
            return LinkCheck(status, broken=status >= 400)
    except urllib.error.HTTPError as error:
        # A redirect urllib gave up on (a loop, or too many) is broken too.
        return LinkCheck(int(error.code), broken=True)


def check_url(url: str) -> LinkCheck:
    """Ask a web address whether it still works: HEAD first, then GET if HEAD is refused.

    Redirects are followed. Some servers refuse or mishandle HEAD, so any HEAD failure is
    retried as a GET before the link is called broken. Only http and https are checked.
    """
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return LinkCheck(None, broken=True)
    result = LinkCheck(None, broken=True)
    for method in ("HEAD", "GET"):
        try:
            result = _request(url, method)
        except (urllib.error.URLError, HTTPException, OSError, ValueError):
            # No answer: refused, timed out, a name that does not resolve, a malformed address.
            result = LinkCheck(None, broken=True)
        if not result.broken:
            break
    return result


@shared_task(name="learning.check_resource_links")
def check_resource_links() -> dict[str, int]:
    """Check every published resource's link; record when, what status, and whether broken."""
    resources = list(Resource.objects.published().order_by("pk").values_list("pk", "url"))
    with ThreadPoolExecutor(max_workers=PARALLEL_CHECKS) as pool:
        results = list(pool.map(lambda item: check_url(item[1]), resources))
    checked_at = timezone.now()
    for (resource_id, _url), result in zip(resources, results, strict=True):
        do_record_link_check(
            resource_id=resource_id,
            status=result.status,
            broken=result.broken,
            checked_at=checked_at,
        )
    return {"checked": len(results), "broken": sum(result.broken for result in results)}
