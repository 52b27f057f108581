"""Folium maps that draw with no network: every script and stylesheet inlined from packages.

Folium links Leaflet and its helpers from CDNs (``folium.folium._default_js`` and
``_default_css``). Where cities run warmmap there may be no internet at all, so each map is put in
an ``OfflineFigure``, which replaces every link in the page's header by the file's text, read from
a Python package installed with warmmap (XStatic-Leaflet, XStatic-jQuery), never fetched. Folium's
defaults, one by one:

- ``leaflet`` (JS) and ``leaflet_css``: XStatic-Leaflet, the same 1.9.3 folium asks for; the
  images the stylesheet names (the layer control's icon, the default marker) become data URIs.
- ``jquery``: XStatic-jQuery 3.7.1, as folium asks; folium's popups are built with ``$``.
- ``bootstrap``, ``bootstrap_css``, ``glyphicons_css``, ``awesome_markers``,
  ``awesome_markers_css``, ``awesome_markers_font_css``, ``awesome_rotate_css``: only
  ``folium.Icon`` markers use them; our maps draw circles and text labels, so they are left out.

A link to anything not listed here (a plugin's CDN, branca's d3 for a colour bar) stops the
rendering with ``RemoteAsset`` naming it: a map never half-loads from the internet.
"""

import base64
import re
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from xstatic.pkg import jquery, leaflet

# folium's name of each resource -> (the package's folder, the file in it)
OFFLINE_JS = {
    "leaflet": (leaflet.BASE_DIR, "leaflet.js"),
    "jquery": (jquery.BASE_DIR, "jquery.min.js"),
}
OFFLINE_CSS = {"leaflet_css": (leaflet.BASE_DIR, "leaflet.css")}
_SOURCE_MAP = re.compile(r"^[/*]*# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


class RemoteAsset(RuntimeError):
    """A map asked for a script or stylesheet that would have to come from the network."""


@cache
def _text(folder: str, name: str) -> str:
    text = (Path(folder) / name).read_text(encoding="utf-8")
    # A source map is fetched when developer tools open: keep even that off the network.
    return _SOURCE_MAP.sub("", text)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@cache
def stylesheet(name: str) -> str:
    """Return the text of an offline stylesheet, its images inlined as data URIs."""
    folder, file = OFFLINE_CSS[name]
    return _CSS_URL.sub(
        lambda m: f"url({_data_uri(Path(folder) / m.group(2))})", _text(folder, file)
    )


def script(name: str) -> str:
    """Return the text of an offline script, safe inside a ``<script>`` element."""
    folder, file = OFFLINE_JS[name]
    return _text(folder, file).replace("</script", "<\\/script").replace("<!--", "<\\!--")


def inline_links(header: Element) -> None:
    """Replace every script and stylesheet link of a page's header by the file's text."""
    for key, child in list(header._children.items()):
        if isinstance(child, JavascriptLink):
            if key not in OFFLINE_JS:
                raise RemoteAsset(f"no offline copy of the script {key!r} ({child.url})")
            header._children[key] = Element(f"<script>{script(key)}</script>")
        elif isinstance(child, CssLink):
            if key not in OFFLINE_CSS:
                raise RemoteAsset(f"no offline copy of the stylesheet {key!r} ({child.url})")
            header._children[key] = Element(f"<style>{stylesheet(key)}</style>")


class OfflineFigure(Figure):
    """A page whose scripts and stylesheets are inlined when it is rendered."""

    def render(self, **kwargs: Any) -> str:
        """Render the page: children first (they add their links), then inline the links."""
        for child in self._children.values():
            child.render(**kwargs)
        inline_links(self.header)
        return str(self._template.render(this=self, kwargs=kwargs))


def offline_map(**kwargs: Any) -> folium.Map:
    """Return a folium map with no tile layer, in an ``OfflineFigure``.

    Parameters
    ----------
    **kwargs
        Passed to ``folium.Map`` (``location``, ``zoom_start``, ...); ``tiles`` is always None:
        our own boundaries are the base map.
    """
    figure = OfflineFigure()
    kwargs["tiles"] = None
    fmap = folium.Map(**kwargs)
    fmap.default_js = [(name, url) for name, url in fmap.default_js if name in OFFLINE_JS]
    fmap.default_css = [(name, url) for name, url in fmap.default_css if name in OFFLINE_CSS]
    fmap.add_to(figure)
    return fmap
