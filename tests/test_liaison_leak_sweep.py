"""Every GET route of the app, present and future (tiles, OGC, maps), called as an attacker.

Neither the public nor a grid manager of another street may ever get street A's people: the
sweep fills every path parameter with ids and names that exist (outlets, liaisons, layers, a tile
over the district) and looks for their names and phones in every answer, text or binary.
"""

import math

import pytest

from tests.liaison_world import A1, STREET_A, build_world

LAYER_GUESSES = ("outlets", "liaisons", "outlet_liaisons", "stations", "communities", "cases")


def tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def fillings(route: str, world) -> list[str]:
    """Concrete paths for ``route``, every path parameter filled with something that exists."""
    paths = [route]
    ids = [o.id for o in world.outlets[A1]] + [world.liaisons["cA1"].id, world.liaisons["pA"].id]
    for z in (10, 14):
        x, y = tile(104.02, 30.62, z)
        for name, values in {"z": [z], "x": [x], "y": [y]}.items():
            paths = [p.replace("{" + name + "}", str(values[0]), 1) if "{z}" in p or "{x}" in p
                     or "{y}" in p else p for p in paths]  # fmt: skip
    filled = []
    for path in paths:
        candidates = [path]
        while any("{" in c for c in candidates):
            nxt = []
            for c in candidates:
                if "{" not in c:
                    nxt.append(c)
                    continue
                start, end = c.index("{"), c.index("}")
                name = c[start + 1 : end].split(":")[0]
                values = [str(i) for i in ids] if name.endswith("id") and "layer" not in name \
                    else list(LAYER_GUESSES)  # fmt: skip
                nxt += [c[:start] + v + c[end + 1 :] for v in values]
            candidates = nxt
        filled += candidates
    return filled


@pytest.fixture
def world(session):
    return build_world(session)


def secrets(world) -> list[bytes]:
    people = [world.liaisons[k] for k in ("cA1", "cA2", "pA")]
    return [s.encode() for p in people for s in (p.name, p.phone)]


def test_no_get_route_gives_street_a_people_to_the_public_or_to_another_street(app, client, world):
    for outlet in world.outlets[A1]:
        client.put(f"/outlets/{outlet.id}/liaisons", json={
            "community": world.liaisons["cA1"].id, "police": world.liaisons["pA"].id
        }, headers=world.headers("gm_A"))  # fmt: skip
    # Every GET path the app documents, including routers it includes (tiles, OGC, maps).
    routes = [path for path, item in app.openapi()["paths"].items() if "get" in item]
    assert len(routes) > 10
    queries = ["", f"?community={A1}", f"?street={STREET_A}", f"?scope={STREET_A}", "?limit=1000"]
    called = 0
    for route in routes:
        for path in fillings(route, world):
            for query in queries:
                for headers in ({}, world.headers("gm_B1")):
                    response = client.get(path + query, headers=headers)
                    called += 1
                    assert response.status_code < 500, (path, query, response.text)
                    for secret in secrets(world):
                        assert secret not in response.content, (path + query, headers, secret)
    assert called > 100


def test_the_sweep_would_see_a_leak(client, world):
    # The control: where the people are meant to be seen, the same check finds them.
    response = client.get(f"/liaisons?street={STREET_A}", headers=world.headers("gm_A"))
    assert all(secret in response.content for secret in secrets(world))
