"""A write is committed before its answer is sent: a client reading right after it sees it.

FastAPI ends dependencies with ``yield`` after the response is sent unless they say
``scope="function"``; the request session's commit would then race the client's next request
(the web map assigns a liaison, then reloads the outlets). Through a real server, not the
TestClient, which waits for the whole request anyway.
"""

import json
import urllib.request

from tests.map_world import MapWorld, call

ROUNDS = 25


def test_a_change_is_seen_by_the_next_request(map_world: MapWorld):
    station = call(f"{map_world.server}/stations?limit=1")["features"][0]
    url = f"{map_world.server}/stations/{station['id']}"
    admin = {"X-API-Key": map_world.key("admin"), "Content-Type": "application/json"}
    seen = []
    for n in range(ROUNDS):
        name = f"驿站 {n}"
        change = urllib.request.Request(
            url, data=json.dumps({"name": name}).encode(), headers=admin, method="PATCH"
        )
        with urllib.request.urlopen(change, timeout=30) as response:
            assert response.status == 200
        seen.append(call(url)["properties"]["name"] == name)
    assert all(seen), f"{seen.count(False)} of {ROUNDS} reads missed the change just answered"
