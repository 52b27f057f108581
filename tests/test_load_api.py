"""GET /batches/{id} and GET /batches/{id}/rejects: any key may read them, nobody without one."""

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
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
    paths = ("", "/rejects", "/flagged")
    for path in (f"/batches/{batch.batch_id}{p}" for p in paths):
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
        "kind": "rejected",
        "reason": "reason 3",
        "reason_code": None,
        "params": {},
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
    for path in ("/batches/987654", "/batches/987654/rejects", "/batches/987654/flagged"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "no batch 987654"}
    assert client.get("/batches/abc", headers=headers).status_code == 422


@pytest.fixture
def flagged_batch(session):
    """A batch of 3 outlets whose first two rows were flagged, and one row rejected with a code."""
    rejected = [
        Rejection(
            9,
            {"名称": "x", "经度": "30.6", "纬度": "104.1"},
            "longitude and latitude look swapped (30.6, 104.1)",
            "swapped_coordinates",
            {"x": 30.6, "y": 104.1},
        )
    ]
    rows = frame(
        [outlet("a", 104.05, 30.55), outlet("b", 104.06, 30.56), outlet("c", 104.07, 30.5)]
    )
    return load_normalized(
        session,
        normalized("outlets", rows, rejected, flagged=2),
        path=FILE,
        crs="wgs84",
        source="api-test",
        options={},
        started_at=datetime.now(UTC),
    )


def test_flagged_rows_page_in_row_order_in_either_language_and_the_read_is_audited(
    client, flagged_batch, headers, session
):
    url = f"/batches/{flagged_batch.batch_id}/flagged"
    page = client.get(url, params={"limit": 1}, headers=headers).json()
    assert page["total"] == 2 and [f["row_number"] for f in page["data"]] == [2]
    first = page["data"][0]
    assert (first["external_id"], first["field"], first["column"], first["value"]) == (
        "a",
        "hours",
        "开放时间",
        "看天气",
    )
    assert first["reason_code"] == "hours_not_understood"
    assert first["reason"].startswith("opening hours '看天气' not understood")
    zh = client.get(url, params={"lang": "zh"}, headers=headers).json()
    assert zh["data"][1]["reason"].startswith("开放时间「看天气」无法识别")
    by_header = client.get(url, headers=headers | {"Accept-Language": "zh-CN,zh;q=0.9"}).json()
    assert by_header["data"] == zh["data"]
    rejects = client.get(
        f"/batches/{flagged_batch.batch_id}/rejects", params={"lang": "zh"}, headers=headers
    ).json()
    assert rejects["data"][0]["reason"] == "经度和纬度似乎填反了（30.6, 104.1）"
    assert client.get(url, params={"lang": "fr"}, headers=headers).status_code == 422
    audits = session.scalars(select(AuditLog).where(AuditLog.entity == "flagged_rows")).all()
    assert len(audits) == 3 and audits[0].entity_id == str(flagged_batch.batch_id)
    batch = client.get(f"/batches/{flagged_batch.batch_id}", headers=headers).json()
    assert (batch["flagged"], batch["skipped"]) == (2, 0)


@pytest.fixture
def liaison_batch(session):
    """A liaison batch: rows rejected in two districts and one without an area, one flag each."""
    raws = {
        row: {"姓名": f"联络员{row}", "电话": "13800005596", "所属社区": area}
        for row, area in ((2, "510104001001"), (3, "510105002001"), (4, None))
    }
    rejected = [Rejection(row, raw, "missing role", "missing_role") for row, raw in raws.items()]
    batch = normalized("liaisons", frame([]).assign(row_number=[]), rejected)
    batch.flags = pd.DataFrame(
        {
            "row_number": [2, 3],
            "field": "phone",
            "column_name": "电话",
            "value": "13800005596",
            "reason_code": "defaulted",
            "params": [{"field": "phone", "read": "x"}] * 2,
        }
    )
    batch.raw_rows = lambda numbers: {n: raws[n] for n in numbers}
    batch.report = {"columns": [{"column": c, "field": f} for c, f in
                                (("姓名", "name"), ("电话", "phone"), ("所属社区", "scope_adcode"))]}  # fmt: skip
    options = {"columns": {"name": "姓名", "phone": "电话", "scope_adcode": "所属社区"}}
    return load_normalized(session, batch, path=FILE, crs="wgs84", source="api-test",
                           options=options, started_at=datetime.now(UTC))  # fmt: skip


def test_a_liaison_batch_shows_a_manager_only_the_rows_of_their_scope(
    client, session, liaison_batch
):
    def answer(path, role, scope):
        key = create_key(session, f"{role}-{'-'.join(scope)}-{path}", role, scope)
        url = f"/batches/{liaison_batch.batch_id}/{path}"
        return client.get(url, headers={"X-API-Key": key})

    def rows(path, role, scope):
        got = answer(path, role, scope)
        assert got.status_code == 200, got.text
        return {r["row_number"]: r for r in got.json()["data"]}

    jinjiang = rows("rejects", "grid_manager", ["510104"])
    assert list(jinjiang) == [2]  # its own area only, as given; the others are not listed
    assert jinjiang[2]["raw"]["电话"] == "13800005596"
    assert answer("rejects", "planner", []).status_code == 403
    assert answer("flagged", "planner", []).status_code == 403
    assert answer("rejects", "grid_manager", ["310115"]).status_code == 403
    assert rows("rejects", "admin", [])[3]["raw"]["电话"] == "13800005596"
    flags = rows("flagged", "grid_manager", ["510104"])
    assert list(flags) == [2] and flags[2]["value"] == "13800005596"
    assert "raw" not in flags[2]
    audits = session.scalars(select(AuditLog).where(AuditLog.entity == "flagged_rows")).all()
    assert audits[-1].detail["revealed_rows"] == [2]
