"""How an email leaves the portal: Django's email backend (SMTP from EMAIL_URL), or GOV.UK Notify
when NOTIFY_API_KEY is set, as many NHS organisations send through it."""

from __future__ import annotations

from contextlib import AbstractContextManager, suppress
from smtplib import SMTPRecipientsRefused
from types import TracebackType
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from portal.outbox.rendering import Email


class PermanentFailure(Exception):
    """Sending again will not help (the address is refused): fail at once, do not retry."""


class Channel(Protocol):
    def send(self, email: Email) -> None: ...


def _unsubscribe_headers(email: Email) -> dict[str, str]:
    if not email.unsubscribe_url:
        return {}
    # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the link.
    return {
        "List-Unsubscribe": f"<{email.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class EmailChannel(AbstractContextManager["EmailChannel"]):
    """Django's configured email backend, one connection for a whole batch."""

    def __enter__(self) -> EmailChannel:
        self.connection = get_connection(fail_silently=False)
        self.connection.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # A server that hung up after our last send changes nothing that was sent.
        with suppress(Exception):
            self.connection.close()

    def send(self, email: Email) -> None:
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            to=[email.to],
            headers=_unsubscribe_headers(email),
            connection=self.connection,
        )
        try:
            message.send()
        except SMTPRecipientsRefused as error:
            # Only a 5xx refusal is final; a 4xx one (greylisting, "try again later") is retried.
            if all(code >= 500 for code, _ in error.recipients.values()):
                raise PermanentFailure("the mail server refused the address") from error
            raise


class NotifyChannel(AbstractContextManager["NotifyChannel"]):
    """GOV.UK Notify's email API. Each template id is a Notify template whose subject is
    ((subject)) and body ((body)), so our wording stays in this repository."""

    def __enter__(self) -> NotifyChannel:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=15
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def send(self, email: Email) -> None:
        from notifications_python_client.errors import HTTPError

        template_id = settings.NOTIFY_TEMPLATE_IDS.get(email.template, settings.NOTIFY_TEMPLATE_ID)
        try:
            self.client.send_email_notification(
                email_address=email.to,
                template_id=template_id,
                personalisation={"subject": email.subject, "body": email.body},
                reference=email.reference,
                one_click_unsubscribe_url=email.unsubscribe_url or None,
            )
        except HTTPError as error:
            # 400 and 403 are our request or our key: retrying the same request cannot help.
            if error.status_code in (400, 403):
                raise PermanentFailure(
                    f"Notify refused the request ({error.status_code})"
                ) from error
            raise


def open_channel() -> EmailChannel | NotifyChannel:
    return NotifyChannel() if settings.NOTIFY_API_KEY else EmailChannel()


class OnDemandChannel(AbstractContextManager["OnDemandChannel"]):
    """The configured channel, opened at the first send of a batch rather than before it.

    A batch with nothing to send (opted out, quiet hours) never connects. When the connection
    cannot be opened, each message in the batch fails with that error at once, to be retried
    later, instead of the whole task failing and leaving its messages claimed until the lease
    runs out, or every message waiting out its own connection timeout.
    """

    def __init__(self) -> None:
        self._opened: EmailChannel | NotifyChannel | None = None
        self._broken: Exception | None = None

    def send(self, email: Email) -> None:
        if self._broken is not None:
            raise self._broken
        if self._opened is None:
            channel = open_channel()
            try:
                channel.__enter__()
            except Exception as error:
                self._broken = error
                raise
            self._opened = channel
        self._opened.send(email)

    def __exit__(self, *exc_info: object) -> None:
        if self._opened is not None:
            self._opened.__exit__(None, None, None)
