"""Guards every request passes: a body over the limit is refused before it is read, naming the limit (a FHIR
Bundle is the largest thing anyone uploads), and every response carries the security headers."""

from __future__ import annotations

import html
import json

from hosim.clinical.fhir import MAX_BUNDLE_BYTES

MAX_BODY_BYTES = MAX_BUNDLE_BYTES + 64 * 1024  # a Bundle at the CLI's limit, with its form's wrapping

HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                 b"script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
                                 b"form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


TOO_LARGE = (f"the request is larger than {MAX_BODY_BYTES // 2**20} MB, the most this server accepts (a FHIR "
             f"Bundle may be at most {MAX_BUNDLE_BYTES // 2**20} MB)")


class DeclaredLength:
    """Refuse (413, with the limit named) a request whose Content-Length is over the limit before any of it
    is read; a body sent without a length is cut off by the framework's own limit (FastAPI max_body_size)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        length = dict(scope.get("headers", ())).get(b"content-length")
        if scope["type"] != "http" or length is None or (length.isdigit() and int(length) <= self.limit):
            return await self.app(scope, receive, send)
        if scope["path"].startswith("/api"):
            body, kind = json.dumps({"detail": TOO_LARGE}).encode(), b"application/json"
        else:  # a page's form: a page that says so, linking back
            body = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Too large</title></head>'
                    f'<body><h1>Too large</h1><p role="alert">{html.escape(TOO_LARGE)}</p><p><a href="/">Back to the '
                    f'start</a></p></body></html>').encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Every response says: scripts, styles and images only from this server; not to be framed; no sniffing."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
