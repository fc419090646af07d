"""Where compiled documents live: a local folder by default, S3 when configured.

Imported by API Lambdas too, so boto3 is only imported inside factories.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

DEFAULT_ARTIFACTS = "out/artifacts"
# SigV4 presigned URLs cannot live longer than 7 days.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
# Sidecar JSON files live in their own tree so no key can collide with them.
_META_DIR = ".thidua-meta"


class ArtifactNotFound(KeyError):
    """No artifact is stored under the key."""


class InvalidArtifactKey(ValueError):
    """The key is empty, absolute, or tries to leave the store (`..`)."""


@dataclass(frozen=True)
class StoredArtifact:
    key: str
    sha256: str
    size: int
    content_type: str


@runtime_checkable
class ArtifactStore(Protocol):
    def put(
        self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
    ) -> StoredArtifact: ...

    def get(self, key: str) -> bytes: ...

    def head(self, key: str) -> StoredArtifact | None: ...

    def url(self, key: str, expires_in: int = MAX_PRESIGN_SECONDS) -> str: ...


def download_url(artifacts: Any, key: str, expires_in: int, name: str, content_type: str) -> str | None:
    """A short-lived https URL a browser downloads `key` from under `name`, or None when the store
    has none (a local folder: its file:// URL is no use to a browser)."""
    if not isinstance(artifacts, S3Artifacts):
        return None
    return artifacts.url(key, expires_in, download_name=name, content_type=content_type)


def download_origins(spec: str, region: str, env: Mapping[str, str] = os.environ) -> list[str]:
    """The origins a browser downloads large files from (download_url's addresses): the S3 bucket's
    regional virtual host, or the endpoint configured in its place (AWS_ENDPOINT_URL_S3); none for
    a local folder. The portal's Content-Security-Policy lets its fetch follow the redirect there."""
    if not spec.startswith("s3://"):
        return []
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        from urllib.parse import urlsplit

        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket = spec[len("s3://"):].partition("/")[0]
    return [f"https://{bucket}.s3.{region}.amazonaws.com"]


def validate_key(key: str) -> str:
    """Return the key if it is a safe relative '/'-separated path, else raise.

    Both stores apply the same rule so a key that works locally works on S3.
    """
    if not isinstance(key, str) or not key:
        raise InvalidArtifactKey("artifact key must be a non-empty string")
    if key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidArtifactKey(f"invalid artifact key: {key!r}")
    parts = key.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise InvalidArtifactKey(f"invalid artifact key: {key!r}")
    if parts[0] == _META_DIR:
        raise InvalidArtifactKey(f"reserved artifact key: {key!r}")
    return key


def _check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    # S3 user metadata travels as HTTP headers: ASCII only. Enforced locally too,
    # so the default store does not accept what production would reject.
    out: dict[str, str] = {}
    for k, v in (metadata or {}).items():
        if not (k.isascii() and str(v).isascii()) or k.lower() == "sha256":
            raise ValueError(f"metadata must be ASCII and may not set sha256: {k!r}")
        out[k.lower()] = str(v)
    return out


class LocalFolderArtifacts:
    """Artifacts as files under `root`; sha256 and content type in a sidecar JSON."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _paths(self, key: str) -> tuple[Path, Path]:
        validate_key(key)
        root = self.root.resolve()
        data = (root / key).resolve()
        # Belt and braces against symlinks pointing out of the store.
        if not data.is_relative_to(root) or data == root:
            raise InvalidArtifactKey(f"artifact key escapes the store: {key!r}")
        return data, root / _META_DIR / (key + ".json")

    def put(
        self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
    ) -> StoredArtifact:
        path, meta_path = self._paths(key)
        meta = _check_metadata(metadata)
        stored = StoredArtifact(
            key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data), content_type=content_type
        )
        atomic_write(path, data)
        sidecar = {"sha256": stored.sha256, "size": stored.size, "content_type": content_type, "metadata": meta}
        atomic_write(meta_path, json.dumps(sidecar, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        return stored

    def get(self, key: str) -> bytes:
        path, _ = self._paths(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ArtifactNotFound(key) from None

    def head(self, key: str) -> StoredArtifact | None:
        path, meta_path = self._paths(key)
        try:
            size = path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        try:
            sidecar = json.loads(meta_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            sidecar = {}
        if sidecar.get("size") == size and sidecar.get("sha256"):
            return StoredArtifact(key, sidecar["sha256"], size, sidecar.get("content_type", "application/octet-stream"))
        # Sidecar missing or stale (a crash between the two renames): trust the bytes.
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return StoredArtifact(key, digest, size, sidecar.get("content_type", "application/octet-stream"))

    def url(self, key: str, expires_in: int = MAX_PRESIGN_SECONDS) -> str:
        path, _ = self._paths(key)
        return path.as_uri()


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; artifacts are meant to be read
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def make_s3_client(region_name: str | None = None) -> Any:
    """An S3 client fit for presigning: SigV4 and the regional virtual-host endpoint.

    botocore's defaults may still presign with SigV2 on the global endpoint, which
    other regions answer with a redirect that breaks the signature.
    """
    import boto3  # lazy: API Lambdas import this module without needing S3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=region_name,
        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"},
                      retries={"mode": "standard"}),
    )


class S3Artifacts:
    """Artifacts as S3 objects under `prefix`; sha256 kept in user metadata."""

    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_s3_client()
        return self._client

    def _object_key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(
        self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None
    ) -> StoredArtifact:
        digest = hashlib.sha256(data)
        meta = _check_metadata(metadata)
        meta["sha256"] = digest.hexdigest()
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._object_key(key),
            Body=data,
            ContentType=content_type,
            Metadata=meta,
            # S3 verifies the upload against this and keeps it as the object's checksum.
            ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),
        )
        return StoredArtifact(key, digest.hexdigest(), len(data), content_type)

    def get(self, key: str) -> bytes:
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except Exception as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                raise ArtifactNotFound(key) from None
            raise
        return resp["Body"].read()

    def head(self, key: str) -> StoredArtifact | None:
        try:
            resp = self.client.head_object(
                Bucket=self.bucket, Key=self._object_key(key), ChecksumMode="ENABLED"
            )
        except Exception as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        sha = resp.get("Metadata", {}).get("sha256", "")
        checksum = resp.get("ChecksumSHA256") or ""
        if not sha and checksum and "-" not in checksum:  # "-N" marks a multipart composite
            sha = base64.b64decode(checksum).hex()
        return StoredArtifact(
            key, sha, int(resp["ContentLength"]), resp.get("ContentType", "application/octet-stream")
        )

    def url(self, key: str, expires_in: int = MAX_PRESIGN_SECONDS, *, download_name: str | None = None,
            content_type: str | None = None) -> str:
        # A URL signed with a Lambda role's temporary credentials dies with that
        # session (hours), whatever expires_in says.
        if not 0 < expires_in <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"expires_in must be 1..{MAX_PRESIGN_SECONDS} seconds")
        params = {"Bucket": self.bucket, "Key": self._object_key(key)}
        if download_name is not None:  # S3 answers with these headers: the browser saves it under its name
            from urllib.parse import quote

            ascii_name = download_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
            params["ResponseContentDisposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                                    f"filename*=UTF-8''{quote(download_name)}")
        if content_type is not None:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def artifacts_from_env(env: Mapping[str, str] = os.environ) -> ArtifactStore:
    """THIDUA_ARTIFACTS: "s3://bucket[/prefix]" or a folder path (default out/artifacts)."""
    spec = (env.get("THIDUA_ARTIFACTS") or DEFAULT_ARTIFACTS).strip()
    if spec.startswith("s3://"):
        bucket, _, prefix = spec[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError(f"THIDUA_ARTIFACTS has no bucket: {spec!r}")
        return S3Artifacts(bucket, prefix)
    if "://" in spec and not spec.startswith("file://"):
        raise ValueError(f"THIDUA_ARTIFACTS: unsupported scheme in {spec!r}")
    return LocalFolderArtifacts(Path(spec.removeprefix("file://")))


def artifacts_for(settings: Any) -> ArtifactStore:
    """The artifact store a `chalicelib.core.settings.Settings` names."""
    return artifacts_from_env({"THIDUA_ARTIFACTS": settings.artifacts})
