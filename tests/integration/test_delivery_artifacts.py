"""Artifact stores: the local folder for real, S3 through moto (no local S3 server)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from chalicelib.delivery.artifacts import (
    ArtifactNotFound,
    ArtifactStore,
    InvalidArtifactKey,
    LocalFolderArtifacts,
    S3Artifacts,
    artifacts_from_env,
    make_s3_client,
)

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
KEY = "conferences/hn-2021/v3/bao-cao-tong-hop.pdf"


# --- local folder -----------------------------------------------------------

def test_local_round_trip(tmp_path: Path) -> None:
    store = LocalFolderArtifacts(tmp_path)
    stored = store.put(KEY, PDF, "application/pdf", {"conference": "hn-2021"})

    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.key, stored.size, stored.content_type) == (KEY, len(PDF), "application/pdf")
    assert store.get(KEY) == PDF
    assert store.head(KEY) == stored
    # Keys with "/" are subfolders on disk.
    assert (tmp_path / "conferences" / "hn-2021" / "v3" / "bao-cao-tong-hop.pdf").read_bytes() == PDF

    url = store.url(KEY)
    assert url.startswith("file:///")
    assert Path(unquote(urlsplit(url).path)).read_bytes() == PDF


def test_local_overwrite_updates_head(tmp_path: Path) -> None:
    store = LocalFolderArtifacts(tmp_path)
    store.put(KEY, PDF, "application/pdf")
    second = store.put(KEY, b"v2", "text/plain")
    assert store.get(KEY) == b"v2"
    assert store.head(KEY) == second
    assert second.sha256 == hashlib.sha256(b"v2").hexdigest()


def test_local_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    store = LocalFolderArtifacts(tmp_path)
    for i in range(5):
        store.put(f"a/b/{i}.pdf", PDF, "application/pdf")
    names = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert not [n for n in names if n.endswith(".tmp") or n.startswith(".")]
    assert [n for n in names if n.endswith(".pdf")] == [f"{i}.pdf" for i in range(5)]


def test_local_failed_write_keeps_old_version_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.delivery import artifacts

    store = LocalFolderArtifacts(tmp_path)
    store.put(KEY, PDF, "application/pdf")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    # The new bytes are in the temp file when the failure hits: the old version
    # must stay whole and the temp file must go.
    monkeypatch.setattr(artifacts.os, "fsync", disk_full)
    with pytest.raises(OSError):
        store.put(KEY, b"half-written", "application/pdf")
    monkeypatch.undo()
    assert store.get(KEY) == PDF
    assert [p.name for p in tmp_path.rglob("*") if p.is_file() and p.name.endswith(".tmp")] == []


def test_local_missing_key(tmp_path: Path) -> None:
    store = LocalFolderArtifacts(tmp_path)
    with pytest.raises(ArtifactNotFound):
        store.get("nope/missing.pdf")
    assert store.head("nope/missing.pdf") is None
    store.put("dir/file.pdf", PDF, "application/pdf")
    with pytest.raises(ArtifactNotFound):
        store.get("dir")  # a folder is not an artifact
    assert store.head("dir") is None


@pytest.mark.parametrize(
    "key",
    ["../escape.pdf", "a/../../escape.pdf", "a/..", "/etc/passwd", "", "a//b", "./a", "a\\..\\b",
     ".thidua-meta/x.json"],
)
def test_local_refuses_unsafe_keys(tmp_path: Path, key: str) -> None:
    store = LocalFolderArtifacts(tmp_path / "store")
    with pytest.raises(InvalidArtifactKey):
        store.put(key, b"x", "text/plain")
    with pytest.raises(InvalidArtifactKey):
        store.get(key)
    assert not (tmp_path / "escape.pdf").exists()


def test_local_refuses_symlink_out_of_store(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "store"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidArtifactKey):
        LocalFolderArtifacts(root).put("link/x.pdf", b"x", "application/pdf")
    assert list(outside.iterdir()) == []


def test_local_head_survives_missing_sidecar(tmp_path: Path) -> None:
    store = LocalFolderArtifacts(tmp_path)
    store.put(KEY, PDF, "application/pdf")
    for sidecar in (tmp_path / ".thidua-meta").rglob("*.json"):
        sidecar.unlink()
    head = store.head(KEY)
    assert head is not None and head.sha256 == hashlib.sha256(PDF).hexdigest()


def test_local_metadata_must_be_ascii(tmp_path: Path) -> None:
    # S3 would reject it, so the local default must too.
    with pytest.raises(ValueError):
        LocalFolderArtifacts(tmp_path).put(KEY, PDF, "application/pdf", {"title": "Báo cáo"})


def test_artifacts_from_env(tmp_path: Path) -> None:
    local = artifacts_from_env({"THIDUA_ARTIFACTS": str(tmp_path)})
    assert isinstance(local, LocalFolderArtifacts) and local.root == tmp_path
    default = artifacts_from_env({})
    assert isinstance(default, LocalFolderArtifacts) and default.root == Path("out/artifacts")
    s3 = artifacts_from_env({"THIDUA_ARTIFACTS": "s3://thidua-docs/prod/artifacts/"})
    assert isinstance(s3, S3Artifacts)
    assert (s3.bucket, s3.prefix, s3._client) == ("thidua-docs", "prod/artifacts", None)
    assert isinstance(s3, ArtifactStore) and isinstance(local, ArtifactStore)
    with pytest.raises(ValueError):
        artifacts_from_env({"THIDUA_ARTIFACTS": "gs://bucket"})


def test_delivery_import_is_light() -> None:
    # API Lambdas import delivery: boto3 and smtplib must wait until used.
    code = (
        "import sys, chalicelib.delivery, chalicelib.delivery.mail, chalicelib.delivery.artifacts;"
        "print(sorted(m for m in ('boto3','botocore','smtplib','ssl','moto') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- S3 (moto) --------------------------------------------------------------

@pytest.fixture
def s3_client(monkeypatch: pytest.MonkeyPatch):
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = make_s3_client("ap-southeast-1")  # the production client factory
        client.create_bucket(
            Bucket="thidua-docs",
            CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"},
        )
        yield client


def test_s3_round_trip_metadata_and_url(s3_client) -> None:
    # moto 5.2.5 neither checks nor stores ChecksumSHA256, so capture what the
    # real client sends (botocore's own event hook, not a mock).
    sent: list[dict] = []
    s3_client.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: sent.append(dict(params))
    )
    store = S3Artifacts("thidua-docs", "prod/", client=s3_client)
    stored = store.put(KEY, PDF, "application/pdf", {"conference": "hn-2021"})
    digest = hashlib.sha256(PDF)
    assert stored.sha256 == digest.hexdigest()
    assert sent[0]["ChecksumSHA256"] == base64.b64encode(digest.digest()).decode()

    raw = s3_client.head_object(Bucket="thidua-docs", Key=f"prod/{KEY}")
    assert raw["ContentType"] == "application/pdf"
    assert raw["Metadata"] == {"sha256": digest.hexdigest(), "conference": "hn-2021"}

    assert store.get(KEY) == PDF
    assert store.head(KEY) == stored

    url = store.url(KEY, expires_in=3600)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "thidua-docs.s3.ap-southeast-1.amazonaws.com")
    assert f"prod/{KEY}" in unquote(parts.path)
    assert "X-Amz-Signature=" in parts.query and "X-Amz-Expires=3600" in parts.query


def test_s3_missing_and_bad_keys(s3_client) -> None:
    store = S3Artifacts("thidua-docs", client=s3_client)
    with pytest.raises(ArtifactNotFound):
        store.get("missing.pdf")
    assert store.head("missing.pdf") is None
    with pytest.raises(InvalidArtifactKey):
        store.put("../x.pdf", b"x", "application/pdf")
    with pytest.raises(ValueError):
        store.url("x.pdf", expires_in=8 * 24 * 3600)  # SigV4 caps presigned URLs at 7 days


class HeadOnlyS3:
    """Fake client: an object written by another tool, with no sha256 metadata."""

    def __init__(self, checksum: str) -> None:
        self.checksum = checksum

    def head_object(self, **kwargs: str) -> dict:
        assert kwargs["ChecksumMode"] == "ENABLED"  # S3 omits checksums otherwise
        return {"ContentLength": 5, "ContentType": "text/plain", "Metadata": {},
                "ChecksumSHA256": self.checksum}


def test_s3_head_falls_back_to_full_object_checksum() -> None:
    digest = hashlib.sha256(b"hello").digest()
    head = S3Artifacts("b", client=HeadOnlyS3(base64.b64encode(digest).decode())).head("k")
    assert head is not None and head.sha256 == digest.hex()
    # A multipart composite checksum is not the object's sha256: report none.
    multipart = S3Artifacts("b", client=HeadOnlyS3(base64.b64encode(digest).decode() + "-3"))
    assert multipart.head("k").sha256 == ""


def test_s3_client_is_created_lazily(s3_client) -> None:
    store = S3Artifacts("thidua-docs")
    assert store._client is None
    store.put("lazy.txt", b"hi", "text/plain")
    assert s3_client.get_object(Bucket="thidua-docs", Key="lazy.txt")["Body"].read() == b"hi"
