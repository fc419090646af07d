"""Issue 20: any document downloads. A file above THIDUA_DOWNLOAD_REDIRECT_BYTES is never sent
through the Lambda body (6 MB, base64): GET /v1/documents/{id}/file answers 303 with a presigned
S3 URL that lives THIDUA_DOWNLOAD_URL_SECONDS, which gives the file under its name and type; the
Accept choice (PDF or DOCX) still picks the file; small files stay inline. S3 through moto (there is
no local S3 server); the store is DynamoDB Local."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from helpers import Mailbox, person, put_report, seed_units

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
BIG = 50_000
BODY = {"title": "Hội nghị sơ kết công tác tháng 8", "date": "2021-08-31", "periods": ["2021-08"],
        "recipients": ["Lãnh đạo Bộ <ld@bca.vn>"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}


def render(doc) -> bytes:  # stands in for WeasyPrint: a file larger than the threshold
    return b"%PDF-1.7 " + doc.title.encode() + b" " + b"x" * BIG


def compile_(store, cid, now):
    return pipeline.compile_conference(store, cid, conf=settings(), now=now, mailer=Mailbox(), render=render,
                                       sign=lambda pdf, *a: pdf + b"\n%signed",
                                       docx=lambda doc: b"PK small docx")


@pytest.fixture
def s3(monkeypatch, env):
    from moto import mock_aws

    from chalicelib.delivery.artifacts import make_s3_client

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "THIDUA_ARTIFACTS": "s3://thidua-docs/prod",
                        "THIDUA_DOWNLOAD_REDIRECT_BYTES": "10000", "THIDUA_DOWNLOAD_URL_SECONDS": "300"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        make_s3_client("ap-southeast-1").create_bucket(
            Bucket="thidua-docs", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
        yield


def test_a_large_file_is_a_redirect_to_a_short_lived_s3_url_and_a_small_one_comes_inline(
        api, admin_token, store, clock, s3):
    import requests

    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    cid = api.post("/v1/conferences", token=admin_token, body=BODY).data["id"]
    compile_(store, cid, clock.now())
    signer_id, signer = person(store, "leader", name="Thượng tướng Lê Văn Minh", email="minh@bca.vn", now=clock.now())
    doc = api.get(f"/v1/conferences/{cid}/documents", token=admin_token).data["items"][0]["document_id"]
    api.post(f"/v1/documents/{doc}/submit", token=admin_token, body={"signer_account_id": signer_id})
    assert api.post(f"/v1/documents/{doc}/approve", token=signer).status_code == 202
    compile_(store, cid, clock.now())
    issued = next(d for d in api.get(f"/v1/conferences/{cid}/documents", token=admin_token).data["items"]
                  if d["stage"] == "issued")["document_id"]

    pdf = api.get(f"/v1/documents/{issued}/file", token=admin_token, headers={"Accept": PDF})
    assert pdf.status_code == 303 and pdf.body in (b"", "")
    assert pdf.headers["ETag"] and "no-store" in pdf.headers["Cache-Control"]
    url = pdf.headers["Location"]
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://") and query["X-Amz-Expires"] == ["300"]  # short-lived: five minutes
    assert query["response-content-type"] == [PDF]
    assert "bao-cao-tong-hop-so-01-BC-BCA.pdf" in unquote(query["response-content-disposition"][0])
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content.startswith(b"%PDF-1.7 ") and len(fetched.content) > BIG
    assert fetched.content.endswith(b"%signed")  # the issued, signed file
    assert fetched.headers["Content-Type"] == PDF

    docx = api.get(f"/v1/documents/{issued}/file", token=admin_token, headers={"Accept": DOCX})
    assert docx.status_code == 200 and docx.body == b"PK small docx"  # small: inline, as before
    assert api.get(f"/v1/documents/{issued}/file", token=admin_token,
                   headers={"Accept": "text/html"}).status_code == 406
    # who may read it is decided before any URL is made: a unit's token gets 403, not an address
    unit = api.post("/v1/units/ca-nghe-an/tokens", token=admin_token, body={}).data["token"]
    refused = api.get(f"/v1/documents/{issued}/file", token=unit, headers={"Accept": PDF})
    assert refused.status_code == 403 and "Location" not in refused.headers
