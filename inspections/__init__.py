"""Venue-inspection field data: registry, on-site inspections, coverage against the plan."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from . import http_cache, validation_messages

# before any schema is defined: fields copy marshmallow's messages when they are created
validation_messages.install()

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory: config → extensions → blueprints → errors → cli."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    configure_extensions(app)
    configure_security(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_cli(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(config_module.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("INSPECTIONS")
    if test_config:
        app.config.update(test_config)
    config_module.derive(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if int(app.config["PROXY_COUNT"]):
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def configure_extensions(app: Flask) -> None:
    from . import assets, i18n, spatial
    from .accounts import auth
    from .extensions import api, babel, db, migrate

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **spatial.engine_options(url),
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    db.init_app(app)
    with app.app_context():
        spatial.configure_engine(db.engine)
    import_models()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    assets.init_app(app)


def import_models() -> None:
    """Import every models module so the metadata knows all tables (Alembic, relationships)."""
    from .accounts import models as _accounts  # noqa: F401
    from .areas import models as _areas  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .coverage import models as _coverage  # noqa: F401
    from .reports import models as _reports  # noqa: F401
    from .rounds import models as _rounds  # noqa: F401
    from .tips import models as _tips  # noqa: F401
    from .venues import models as _venues  # noqa: F401
    from .violations import models as _violations  # noqa: F401
    from .visits import models as _visits  # noqa: F401


def configure_security(app: Flask) -> None:
    from . import inputs, uow
    from .accounts.permissions import enforce_declared
    from .audit.services import flush_pending

    inputs.init_converters(app)  # before the blueprints: their routes use the bounded ids
    app.before_request(enforce_declared)
    app.before_request(inputs.refuse_control_characters)
    app.before_request(inputs.refuse_bad_paging)
    app.before_request(inputs.refuse_empty_changes)

    @app.before_request
    def _nonce():
        _csp_nonce()

    # Also made on first use: a request refused by an earlier hook (403, 404…) still renders
    # its error page with a nonce its scripts can run under.
    app.jinja_env.globals["csp_nonce"] = _csp_nonce

    @app.after_request
    def _finish(response):
        """The request boundary: services committed their own units; see uow.end_request."""
        uow.end_request(response.status_code, flush_pending)
        _security_headers(app, response)
        return response


def _csp_nonce() -> str:
    """This request's script nonce."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _security_headers(app: Flask, response) -> None:
    tiles = app.config.get("TILE_URL") or ""
    tile_origin = ""
    if tiles.startswith("http"):
        scheme, _sep, rest = tiles.partition("://")
        host = rest.split("/", 1)[0].replace("{s}", "*")
        tile_origin = f" {scheme}://{host}"
    nonce = _csp_nonce()
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{tile_origin}; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
        "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Permissions-Policy", "geolocation=(self), camera=(self), microphone=()"
    )
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    http_cache.apply(response)


def configure_blueprints(app: Flask) -> None:
    from .accounts.permissions import P, requires
    from .accounts.views import bp as accounts_pages
    from .areas.api import blp as areas_api
    from .areas.views import bp as areas_pages
    from .audit.views import bp as audit_pages
    from .core.api import blp as core_api
    from .core.views import bp as core_pages
    from .coverage.api import blp as coverage_api
    from .coverage.views import bp as coverage_pages
    from .extensions import api
    from .offline.api import blp as offline_api
    from .offline.views import bp as offline_pages
    from .reports.api import blp as reports_api
    from .reports.views import bp as reports_pages
    from .rounds.api import blp as rounds_api
    from .rounds.views import bp as rounds_pages
    from .tips.views import bp as tips_pages
    from .venues.api import blp as venues_api
    from .venues.views import bp as venues_pages
    from .violations import hooks as _violation_hooks  # noqa: F401 - registers merge hooks
    from .violations.api import blp as violation_types_api
    from .violations.api import register_blp as violations_api
    from .violations.views import bp as violations_pages
    from .visits import chain as _chain  # noqa: F401 - keeps inspection chains on flush
    from .visits.api import blp as visits_api
    from .visits.api import checklists_blp as checklists_api
    from .visits.views import bp as visits_pages

    for bp in (
        core_pages,
        accounts_pages,
        areas_pages,
        audit_pages,
        venues_pages,
        coverage_pages,
        visits_pages,
        violations_pages,
        tips_pages,
        offline_pages,
        reports_pages,
        rounds_pages,
    ):
        app.register_blueprint(bp)
    for blp in (
        core_api,
        areas_api,
        venues_api,
        coverage_api,
        visits_api,
        checklists_api,
        violation_types_api,
        violations_api,
        offline_api,
        reports_api,
        rounds_api,
    ):
        api.register_blueprint(blp)
    # flask-smorest's own documentation routes: the API description is public.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = requires(P.PUBLIC)(view)
    from .core import templating

    templating.init_app(app)


def configure_errors(app: Flask) -> None:
    from .errors import register_error_handlers

    register_error_handlers(app)


def configure_cli(app: Flask) -> None:
    from .cli import register

    register(app)
