"""Guards every request passes: a body over the limit is refused before it is read, naming the limit (a FHIR
Bundle is the largest thing anyone uploads); a page of another site may not start work; costly checks run a
few at a time; every response carries the security headers."""

from __future__ import annotations

import html
import json
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

from hosim.clinical.fhir import MAX_BUNDLE_BYTES
from hosim.web.jobs import QueueFull

MAX_BODY_BYTES = MAX_BUNDLE_BYTES + 64 * 1024  # a Bundle at the CLI's limit, with its form's wrapping

# Scripts, styles and images only from this server; the API page (Swagger UI) alone needs its inline script.
POLICY = ("default-src 'self'; img-src 'self' data:; script-src 'self'{inline}; style-src 'self'{inline}; "
          "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CHECKS_AT_ONCE = 2  # costly checks and estimates running at once (building a 3-D run, a virtual cohort)
_checks = threading.BoundedSemaphore(CHECKS_AT_ONCE)


TOO_LARGE = (f"the request is larger than {MAX_BODY_BYTES // 2**20} MB, the most this server accepts (a FHIR "
             f"Bundle may be at most {MAX_BUNDLE_BYTES // 2**20} MB)")


def refusal(scope, status: int, message: str) -> tuple[bytes, bytes]:
    """A refusal's body and content type: JSON `{"detail"}` for the API, a small page for a page's form."""
    if scope["path"].startswith("/api"):
        return json.dumps({"detail": message}).encode(), b"application/json"
    title = {403: "Refused", 413: "Too large"}.get(status, "Not possible")
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<h1>{title}</h1><p role="alert">{html.escape(message)}</p><p><a href="/">Back to the start</a></p>'
            f'</body></html>')
    return page.encode(), b"text/html; charset=utf-8"


async def refuse(scope, send, status: int, message: str) -> None:
    body, kind = refusal(scope, status, message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


class DeclaredLength:
    """Refuse (413, with the limit named) a request whose Content-Length is over the limit before any of it
    is read; a body sent without a length is cut off as it streams in (Starlette's RequestBodyLimitMiddleware)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        length = dict(scope.get("headers", ())).get(b"content-length")
        if scope["type"] != "http" or length is None or (length.isdigit() and int(length) <= self.limit):
            return await self.app(scope, receive, send)
        await refuse(scope, send, 413, TOO_LARGE)


class SameSite:
    """Refuse (403) a request that would change something (start or cancel a job) when the browser says it
    comes from a page of another site: a web page elsewhere must not fill this computer's queue. Clients
    that are not browsers send neither header and pass."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        site, origin = headers.get(b"sec-fetch-site"), headers.get(b"origin")
        if site is not None:  # a browser that says where the request comes from (every current one)
            foreign = site not in (b"same-origin", b"none")
        else:  # an older browser: its Origin must name this server
            foreign = origin is not None and urlsplit(origin.decode("latin-1")).netloc.encode() != headers.get(b"host")
        if foreign:
            return await refuse(scope, send, 403, "a page of another site may not start or cancel work here; "
                                                  "use this server's own pages or its API")
        await self.app(scope, receive, send)


@contextmanager
def costly(what: str):
    """At most CHECKS_AT_ONCE costly checks or estimates at once, so requests cannot occupy every core
    outside the job queue; one that cannot start within 30 s is told to try again (429)."""
    if not _checks.acquire(timeout=30):
        raise QueueFull(f"the server is busy with {CHECKS_AT_ONCE} other checks and estimates; try the {what} "
                        "again in a moment")
    try:
        yield
    finally:
        _checks.release()


class SecurityHeaders:
    """Every response says: scripts, styles and images only from this server (the API page may run its own
    inline script); not to be framed; no type sniffing; no referrer to other sites."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        policy = POLICY.format(inline=" 'unsafe-inline'" if scope["path"] == "/docs" else "").encode()

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", policy), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
