"""GET /batches/{id} and GET /batches/{id}/rejects: any key may read them, nobody without one."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from etl.load import load_normalized
from etl.normalize.table import Rejection
from geo_api.auth import create_key
from geo_api.models import AuditLog
from tests.loadutil import frame, normalized, outlet

FILE = Path(__file__).parent / "fixtures" / "load" / "outlets.xlsx"


@pytest.fixture
def batch(session):
    """A committed-looking batch of 2 outlets and 3 rejected rows, inside the test transaction."""
    rejected = [
        Rejection(row, {"名称": f"row {row}", "电话": "13800005596"}, f"reason {row}")
        for row in (7, 3, 5)
    ]
    rows = frame([outlet("a", 104.05, 30.55), outlet("b", 104.06, 30.56)])
    return load_normalized(
        session,
        normalized("outlets", rows, rejected),
        path=FILE,
        crs="wgs84",
        source="api-test",
        options={"format": "xlsx"},
        started_at=datetime.now(UTC),
    )


@pytest.fixture
def headers(session):
    return {"X-API-Key": create_key(session, "grid", "grid_manager", ["510104"])}


def test_batch_needs_a_key(client, batch):
    for path in (f"/batches/{batch.batch_id}", f"/batches/{batch.batch_id}/rejects"):
        response = client.get(path)
        assert response.status_code == 401
        assert "X-API-Key" in response.json()["detail"]
        assert client.get(path, headers={"X-API-Key": "wm_nope"}).status_code == 401


def test_batch_answers_counts_file_and_times(client, batch, headers):
    response = client.get(f"/batches/{batch.batch_id}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == batch.batch_id and body["kind"] == "outlets"
    assert (body["file_name"], body["crs"], body["source"]) == ("outlets.xlsx", "wgs84", "api-test")
    assert len(body["sha256"]) == 64 and body["status"] == "committed"
    counts = {k: body[k] for k in ("rows_read", "inserted", "updated", "unchanged", "rejected")}
    assert counts == {"rows_read": 5, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    assert datetime.fromisoformat(body["finished_at"]) >= datetime.fromisoformat(body["started_at"])


def test_rejects_page_in_row_order_and_the_read_is_audited(client, batch, headers, session):
    url = f"/batches/{batch.batch_id}/rejects"
    page = client.get(url, params={"limit": 2}, headers=headers).json()
    assert page["total"] == 3 and [r["row_number"] for r in page["data"]] == [3, 5]
    assert page["data"][0] == {
        "row_number": 3,
        "reason": "reason 3",
        "raw": {"名称": "row 3", "电话": "13800005596"},
    }
    rest = client.get(url, params={"limit": 2, "offset": 2}, headers=headers).json()
    assert [r["row_number"] for r in rest["data"]] == [7]
    audits = session.scalars(select(AuditLog).where(AuditLog.entity == "rejected_rows")).all()
    assert [a.entity_id for a in audits] == [str(batch.batch_id)] * 2
    assert audits[0].actor.endswith(":grid")


@pytest.mark.parametrize(
    ("params", "name"),
    [({"limit": 0}, "limit"), ({"limit": 5000}, "limit"), ({"offset": -1}, "offset")],
)
def test_bad_paging_is_422_naming_the_parameter(client, batch, headers, params, name):
    response = client.get(f"/batches/{batch.batch_id}/rejects", params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{name}:")


def test_unknown_batch_is_404(client, headers):
    for path in ("/batches/987654", "/batches/987654/rejects"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "no batch 987654"}
    assert client.get("/batches/abc", headers=headers).status_code == 422
