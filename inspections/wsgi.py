"""Production entry point: `gunicorn inspections.wsgi:app`.

Refuses to start with the development secret key or none at all. Once the app is loaded, what
it loaded (modules, templates, the SQLAlchemy metadata: about 250,000 objects) is moved out of
the garbage collector's reach (gc.freeze): a full collection then walks only what requests
made, instead of taking tens of milliseconds out of the request that triggers it.
"""

import gc

from . import create_app
from .config import INSECURE_SECRET_KEY

app = create_app()

_secret = app.config.get("SECRET_KEY")
if not _secret or _secret == INSECURE_SECRET_KEY or len(str(_secret)) < 32:
    raise RuntimeError(
        "Refusing to start: set INSPECTIONS_SECRET_KEY to a random value of at least 32 "
        'characters (python3 -c "import secrets; print(secrets.token_hex(32))")'
    )

gc.freeze()
