"""The SSRF-safe link checker: asks a resource's web address whether it still works.

A curator can type any address, so the checker must not become a way to reach the portal's own
network (SSRF): it connects only to public addresses, unless the host is on
LINK_CHECK_ALLOWED_HOSTS. The check is made on the very address it then connects to, for every
redirect too, so a name that resolves differently a moment later cannot slip past it. Only http
and https are followed, with no proxy, and only a few redirects.

The beat task that checks every published resource is ``learning.tasks.check_resource_links``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 5
MAX_REDIRECTS = 5
USER_AGENT = "MindAndBodyStaffPortal-LinkChecker/1.0 (checks that learning links still work)"
WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class LinkCheck:
    """What a web address answered: its final HTTP status (None if nothing answered), and whether
    it was refused unasked because it leads to a private or internal address."""

    status: int | None
    broken: bool
    refused: bool = False


class RefusedAddress(OSError):
    """The host is, or resolves to, a private or internal address not on the allow-list."""


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local,
    reserved, shared, multicast or unspecified (an IPv4 address inside IPv6 is judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("%eth0") is no part
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_allowed_host(host: str) -> bool:
    allowed = {name.lower().rstrip(".") for name in settings.LINK_CHECK_ALLOWED_HOSTS}
    return host.lower().rstrip(".") in allowed


def connect_to_public_address(
    address: tuple[str, int], timeout: Any = None, source_address: Any = None
) -> socket.socket:
    """socket.create_connection, refusing a host any of whose addresses is not public."""
    host, port = address
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not is_allowed_host(host) and not all(is_public_address(str(f[4][0])) for f in found):
        raise RefusedAddress(f"{host} leads to a private or internal address")
    error: OSError = OSError(f"{host} has no address")
    for family, kind, proto, _name, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as failure:
            sock.close()
            error = failure
            continue
        return sock
    raise error


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_public_address


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_public_address


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_CheckedHTTPSConnection, req, context=ssl.create_default_context())


class _FewRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def link_opener() -> urllib.request.OpenerDirector:
    """An opener for http and https only (a redirect to file: or ftp: fails), with no proxy
    (a proxy would connect for us, past the address check), following a few redirects."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        _CheckedHTTPHandler(),
        _CheckedHTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _FewRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _request(opener: urllib.request.OpenerDirector, url: str, method: str) -> LinkCheck:
    # check_url lets only http and https addresses through, and the opener has no other handler.
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
            return LinkCheck(status, broken=status >= 400)
    except urllib.error.HTTPError as error:
        # A redirect urllib gave up on (a loop, or too many) is broken too.
        return LinkCheck(int(error.code), broken=True)


def check_url(url: str) -> LinkCheck:
    """Ask a web address whether it still works: HEAD first, then GET if HEAD is refused.

    Redirects are followed, a few, to public addresses only. Some servers refuse or mishandle
    HEAD, so any HEAD failure is retried as a GET before the link is called broken. Only http
    and https are checked; an address leading into a private network is refused unasked.
    """
    if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
        return LinkCheck(None, broken=True)
    opener = link_opener()
    result = LinkCheck(None, broken=True)
    for method in ("HEAD", "GET"):
        try:
            result = _request(opener, url, method)
        except urllib.error.URLError as error:
            if isinstance(error.reason, RefusedAddress):
                return LinkCheck(None, broken=True, refused=True)
            result = LinkCheck(None, broken=True)
        except (HTTPException, OSError, ValueError):
            # No answer: refused, timed out, a name that does not resolve, a malformed address.
            result = LinkCheck(None, broken=True)
        if not result.broken:
            break
    return result
