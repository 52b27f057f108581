"""/stations/nearest runs on its own autocommit engine: it must follow the database down and up."""

PARAMS = {"lon": 104.0657, "lat": 30.6595}


def test_nearest_is_503_while_the_database_is_down_and_recovers_at_once(proxied_client):
    client, proxy = proxied_client
    assert client.get("/stations/nearest", params=PARAMS).status_code == 200
    proxy.stop()
    down = client.get("/stations/nearest", params=PARAMS)
    assert down.status_code == 503 and down.json()["detail"] == "database unavailable"
    proxy.start()
    # the pooled connection died with the proxy: the first request after it must not fail
    assert client.get("/stations/nearest", params=PARAMS).status_code == 200


def test_a_connection_that_died_unseen_is_replaced_within_the_request(proxied_client):
    client, proxy = proxied_client
    assert client.get("/stations/nearest", params=PARAMS).status_code == 200
    proxy.stop()  # kills the pooled connection while nobody is looking
    proxy.start()
    assert client.get("/stations/nearest", params=PARAMS).status_code == 200
