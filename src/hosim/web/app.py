"""The web app: pages and the JSON API over the same functions as the CLI, safe by default: only the hosts
it is served as, bounded request bodies, every bad value a 422 with the CLI's message, a job's files the
only files it serves, and every asset shipped in the package (nothing loaded from the internet)."""

from __future__ import annotations

import importlib.util
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from hosim import __version__
from hosim.errors import InputError, SimulationError
from hosim.web.jobs import Jobs, QueueFull, UnknownJob
from hosim.web.limits import MAX_BODY_BYTES, TOO_LARGE, DeclaredLength, SameSite, SecurityHeaders
from hosim.web.requests import errors_message

HERE = Path(__file__).parent
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


def create_app(folder: str | Path | None = None, *, host: str = "127.0.0.1", workers: int = 1,
               max_jobs: int = 8) -> FastAPI:
    """The app, its jobs in `folder` (a new temporary folder, removed on shutdown, when None); it answers
    only requests addressed to `host` or the loopback names (no DNS rebinding from a web page)."""
    from hosim.fingerprint import model_fingerprint
    from hosim.web.work import work

    model_fingerprint()  # parsed once now: request threads only read it (cohort specs carry it)
    own = tempfile.TemporaryDirectory(prefix="hosim-serve-") if folder is None else None
    jobs = Jobs(Path(own.name if own else folder), work, workers=workers, max_jobs=max_jobs)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        jobs.close()
        if own is not None:
            own.cleanup()

    app = FastAPI(title="hosim", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="A computable model of heterotopic ossification: the risk estimate, scenario runs, "
                              "virtual cohorts and trials, as the `hosim` command gives them. Bad values are "
                              "answered 422 with the command's message as `detail`.")
    app.state.jobs = jobs
    every_address = host in ("0.0.0.0", "::")  # asked to serve the network: any name it is reached by
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["*"] if every_address else sorted({host, *LOCAL_HOSTS}))
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(DeclaredLength)
    app.add_middleware(SameSite)
    _add_error_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/swagger", StaticFiles(directory=_swagger_assets()), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="hosim API",
                                   swagger_js_url="/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    from hosim.web.api import router as api
    from hosim.web.pages import router as pages

    app.include_router(api)
    app.include_router(pages)
    return app


def _swagger_assets() -> Path:
    """Swagger UI's files as the swagger-ui-py package ships them (found without importing its code)."""
    spec = importlib.util.find_spec("swagger_ui")
    return Path(spec.submodule_search_locations[0]) / "static"


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/openapi.json", "/docs"))


def _add_error_handlers(app: FastAPI) -> None:
    """Every refusal is one message: JSON `{"detail": message}` for the API, the page itself for a page."""

    def answer(request: Request, status: int, message: str) -> Response:
        if wants_page(request):
            from hosim.web.pages import error_page

            return error_page(request, status, message)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError):
        return answer(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        return answer(request, 422, errors_message(exc.errors()))

    @app.exception_handler(ValidationError)
    async def bad_model(request: Request, exc: ValidationError):
        return answer(request, 422, errors_message(exc.errors()))

    @app.exception_handler(UnknownJob)
    async def unknown(request: Request, exc: UnknownJob):
        return answer(request, 404, str(exc))

    @app.exception_handler(QueueFull)
    async def busy(request: Request, exc: QueueFull):
        return answer(request, 429, str(exc))

    @app.exception_handler(SimulationError)
    async def failed(request: Request, exc: SimulationError):
        return answer(request, 500, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return answer(request, exc.status_code, TOO_LARGE if exc.status_code == 413 else str(exc.detail))
