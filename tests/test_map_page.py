"""GET /map without a browser: its policy, its assets served by warmmap, its one-line errors."""

import re

import pytest

from geo_api.webmap import page as web_map


def test_the_page_is_confined_to_warmmap(client):
    response = client.get("/map")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy  # no inline script, no eval, no CDN
    assert "http" not in policy
    html = response.text
    assert 'lang="zh-CN"' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("map-assets/") or a.startswith("data:") for a in assets)
    for asset in assets:
        if asset.startswith("map-assets/"):
            assert client.get("/" + asset).status_code == 200, asset
    assert 'lang="en"' in client.get("/map", params={"lang": "en"}).text


@pytest.mark.parametrize(("params", "word"), [({"view": "boss"}, "view"), ({"lang": "fr"}, "lang")])
def test_unknown_views_and_languages_are_one_line_422s(client, params, word):
    response = client.get("/map", params=params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{word}:")


def test_missing_assets_say_how_to_install_them(client, monkeypatch, tmp_path):
    monkeypatch.setattr(web_map, "VENDOR", tmp_path)
    response = client.get("/map")
    assert response.status_code == 503
    assert "make assets" in response.json()["detail"]
    assert "maplibre-gl-csp.js" in response.json()["detail"]
