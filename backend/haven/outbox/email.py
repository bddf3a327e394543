"""The email channel: an async SMTP client, or the log when no SMTP server is set."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib

from haven.config import Settings

log = logging.getLogger("haven.email")


class SendFailed(Exception):
    """A send did not work. `permanent` means trying again cannot help; `retry_after`, how
    long the other side asked us to wait before trying again."""

    def __init__(self, message: str, *, permanent: bool = False,
                 retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class EmailSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def build(self, recipient: str, payload: dict) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = recipient
        message["Subject"] = payload["subject"]
        message.set_content(payload["body"])
        return message

    async def send(self, recipient: str, payload: dict) -> None:
        """Raises SendFailed; permanent when the server refused the recipient or sender."""
        settings = self.settings
        if not settings.smtp_host:
            log.info("email (no SMTP server set) to %s: %s\n%s",
                     recipient, payload["subject"], payload["body"])
            return
        message = self.build(recipient, payload)
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user or None,
                password=settings.smtp_password or None,
                use_tls=settings.smtp_tls == "tls",
                start_tls=True if settings.smtp_tls == "starttls" else False,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            raise SendFailed(
                "refused: " + "; ".join(f"{r.code} {r.message}" for r in error.recipients),
                permanent=all(_is_final(code) for code in codes),
            ) from error
        except aiosmtplib.SMTPResponseException as error:
            raise SendFailed(f"SMTP {error.code}: {error.message}",
                             permanent=_is_final(error.code)) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error


def _is_final(code: int) -> bool:
    """5xx SMTP replies are final (RFC 5321); 4xx mean "try again later"."""
    return 500 <= code < 600
