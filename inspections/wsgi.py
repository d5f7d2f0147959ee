"""Production entry point: `gunicorn inspections.wsgi:app`.

Refuses to start with the development secret key or none at all.
"""

from . import create_app
from .config import INSECURE_SECRET_KEY

app = create_app()

_secret = app.config.get("SECRET_KEY")
if not _secret or _secret == INSECURE_SECRET_KEY or len(str(_secret)) < 32:
    raise RuntimeError(
        "Refusing to start: set INSPECTIONS_SECRET_KEY to a random value of at least 32 "
        'characters (python3 -c "import secrets; print(secrets.token_hex(32))")'
    )
