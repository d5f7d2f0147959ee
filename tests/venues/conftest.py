"""Fixtures of the registry tests."""

import pytest

from tests.conftest import csrf_token

# Points of the demo boundaries (district 593 Phan Thiết unless said otherwise).
BINH_HUNG = (10.9290, 108.1020)  # Phường Bình Hưng, 22951
MUI_NE = (10.9330, 108.2870)  # Phường Mũi Né, 22915
LA_GI = (10.6600, 107.7700)  # Phường Phước Hội, district 594
TUY_PHONG = (11.2000, 108.6000)  # Xã Hòa Minh, district 595


@pytest.fixture
def post(client):
    """post(path, data) with the session's CSRF token."""

    def _post(path, data=None, **kwargs):
        token = csrf_token(client, "/venues")
        return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    return _post
