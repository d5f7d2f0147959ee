"""Configuration defaults; every key can be overridden by an INSPECTIONS_<KEY> variable."""

import os

# A known value that must never reach production: wsgi.py refuses to serve with it.
INSECURE_SECRET_KEY = "insecure-development-key"  # noqa: S105


def defaults(instance_path: str) -> dict:
    """Default settings, relative to the instance folder where the embedded database lives."""
    return {
        "SECRET_KEY": INSECURE_SECRET_KEY,
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "inspections.db"),
        "UPLOAD_FOLDER": os.path.join(instance_path, "uploads"),
        # Where photos, signatures and evidence are kept (inspections/storage.py): "local" is
        # UPLOAD_FOLDER; an S3-compatible backend implements the same Storage protocol.
        "STORAGE_BACKEND": "local",
        # Map tiles are the one thing fetched from outside; empty string = no base map.
        "TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "TILE_ATTRIBUTION": "© OpenStreetMap contributors",
        "DEFAULT_LOCALE": "vi",
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        # Area lookup: how far outside every polygon a point may be and still be snapped.
        "SNAP_DISTANCE_M": 2000,
        "MAX_UPLOAD_MB": 10,
        # GPS proof: an inspection whose fixes lie further than this from the venue (after
        # allowing for their accuracy) is off-site; a fix less precise than the second
        # proves nothing. Either needs the inspector's reason.
        "OFFSITE_DISTANCE_M": 200,
        "GPS_MAX_ACCURACY_M": 150,
        "SESSION_HOURS": 12,
        # Days to handle a tip (verify, classify, close) after it is received.
        "TIP_HANDLING_DAYS": 30,
        # Repeat offenders: violations found at two or more inspections within this many months.
        "REPEAT_WINDOW_MONTHS": 12,
        # Trust X-Forwarded-* from this many proxies (0 when served directly).
        "PROXY_COUNT": 0,
        # `flask prune`: an Idempotency-Key is remembered this long (longer than any phone keeps
        # an inspection in its offline queue); login attempts only serve the rate limits.
        "IDEMPOTENCY_RETENTION_DAYS": 60,
        "LOGIN_ATTEMPT_RETENTION_DAYS": 90,
    }


def derive(config) -> None:
    """Fill the settings the extensions read from the project's own names."""
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["BABEL_DEFAULT_LOCALE"] = config["DEFAULT_LOCALE"]
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(
        os.path.dirname(__file__), "translations"
    )
    if not config.get("MAX_CONTENT_LENGTH"):  # Flask's own default is None (no limit)
        config["MAX_CONTENT_LENGTH"] = int(config["MAX_UPLOAD_MB"]) * 1024 * 1024 + 65536
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    # flask-smorest / OpenAPI
    config.setdefault("API_TITLE", "Inspections API")
    config.setdefault("API_VERSION", "v1")
    config.setdefault("OPENAPI_VERSION", "3.0.3")
    config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    config.setdefault("OPENAPI_SWAGGER_UI_URL", "/static/vendor/swagger-ui-dist-5.17.14/")
    config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "JSON API of the venue-inspection system. "
                "Authenticate with `Authorization: Bearer <token>`."
            },
        },
    )
