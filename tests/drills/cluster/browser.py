"""A person's browser, reduced to what the drill needs: cookies, the CSRF token, and a choice of
door: through the proxy (HTTPS), or straight to one web host, as the proxy itself talks to it
(plain HTTP with the Host, X-Forwarded-Proto and X-Forwarded-For headers the proxy sets)."""

from __future__ import annotations

import http.client
import re
import ssl
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from tests.drills.cluster import hosts
from tests.drills.cluster.network import PROXY, Host
from tests.drills.cluster.proxy import HTTPS_PORT, SITE

TIMEOUT_S = 20
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    status: int
    location: str
    body: str
    served_by: str


@dataclass
class Browser:
    certificate: Path
    # The address the portal counts this person under (what the proxy would append).
    address: str = "10.77.0.100"
    cookies: dict[str, str] = field(default_factory=dict)

    def _connection(self, host: Host | None) -> http.client.HTTPConnection:
        if host is None:
            context = ssl.create_default_context(cafile=str(self.certificate))
            return http.client.HTTPSConnection(
                PROXY.address, HTTPS_PORT, timeout=TIMEOUT_S, context=context
            )
        return http.client.HTTPConnection(host.address, hosts.WEB_PORT, timeout=TIMEOUT_S)

    def request(
        self, method: str, path: str, *, via: Host | None = None, form: dict[str, str] | None = None
    ) -> Page:
        """`via` a web host, or None for through the proxy."""
        headers = {"Host": SITE}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if via is not None:
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Forwarded-For"] = self.address
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the origin of an HTTPS POST.
            headers["Origin"] = f"https://{SITE}"
            headers["Referer"] = f"https://{SITE}{path}"
        connection = self._connection(via)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie: SimpleCookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Page(
                response.status,
                response.headers.get("Location", ""),
                text,
                response.headers.get("X-Served-By", ""),
            )
        finally:
            connection.close()

    def get(self, path: str, *, via: Host | None = None) -> Page:
        return self.request("GET", path, via=via)

    def post_form(
        self, path: str, fields: dict[str, str], *, via: Host | None = None, token_from: str = ""
    ) -> Page:
        """Open the form's page first (for its CSRF token), then send it, both by `via`."""
        page = self.get(token_from or path, via=via)
        found = CSRF_FIELD.search(page.body)
        if found is None:
            raise RuntimeError(f"No CSRF token on {token_from or path} ({page.status})")
        return self.request(
            "POST", path, via=via, form={"csrfmiddlewaretoken": found.group(1), **fields}
        )

    def sign_in(self, email: str, password: str, *, via: Host | None = None) -> Page:
        return self.post_form("/accounts/login/", {"login": email, "password": password}, via=via)
