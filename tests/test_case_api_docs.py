"""The OpenAPI document of the case routes: answers with schemas, errors with their body."""

CASE_PATHS = ("/cases", "/points", "/open311/")


def test_every_case_route_documents_its_answer_and_errors(client):
    spec = client.get("/openapi.json").json()
    operations = [(path, method, op) for path, item in spec["paths"].items()
                  if path.startswith(CASE_PATHS) for method, op in item.items()]  # fmt: skip
    assert len(operations) >= 13
    for path, method, op in operations:
        ok = op["responses"].get("200") or op["responses"].get("201")
        assert ok is not None and ok.get("content"), (path, method)
        if path != "/open311/v2/services.json":
            errors = [code for code in op["responses"] if code.startswith("4")]
            assert errors, (path, method)
            for code in errors:
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorBody"), (path, method, code)
    post = spec["paths"]["/cases"]["post"]["requestBody"]["content"]
    assert set(post) == {"application/json", "multipart/form-data"}
    assert "photo" in post["multipart/form-data"]["schema"]["properties"]
