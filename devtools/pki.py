"""`make pki`: the test PKI the demo and the tests sign documents with (never used in the cloud).

    python -m devtools.pki [dir]        (default: .cache/pki)

Creates, when missing, under `dir`:
- `ca.crt` / `ca.key`: a root CA "thidua test CA" (PEM; the key unencrypted: it is a test CA);
- `<issuer_id>.p12`: a PKCS#12 (key, certificate, the CA) for every issuer of
  chalicelib/core/catalog/issuers.json, CN and O = the issuer's name, key usage for signing
  documents, encrypted with the passphrase in `passphrase` (a fixed test passphrase).

Issuers derived from units without a catalog entry get theirs on demand
(`ensure_issuer_credentials`), from the same CA, only where its key is present (local, tests).
Idempotent: a second run creates nothing; a new CA re-issues every PKCS#12 (the old ones
would no longer chain to it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import os
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".cache" / "pki"
CA_NAME = "thidua test CA"
TEST_PASSPHRASE = "thidua-test-pki"
CA_CERT = "ca.crt"
CA_KEY = "ca.key"
PASSPHRASE_FILE = "passphrase"
# id-kp-documentSigning (RFC 9336): the certificate signs documents, not TLS or mail.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
# Fixed validity well around any date the demo's clock or a test may pretend it is.
NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2045, 12, 31, tzinfo=datetime.timezone.utc)


class Named(Protocol):
    id: str
    name: str


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(parts)


def make_ca(name: str = CA_NAME) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed root CA (in memory)."""
    key = _key()
    subject = _name(name, name)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def make_signer_pkcs12(name: str, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey,
                       passphrase: str = TEST_PASSPHRASE) -> bytes:
    """A PKCS#12 (key, certificate issued by the CA, the CA) for a body that signs documents."""
    key = _key()
    cert = (x509.CertificateBuilder().subject_name(_name(name, name)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            # digitalSignature + nonRepudiation (contentCommitment): what a PAdES validator asks of a signer.
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, [ca_cert],
        serialization.BestAvailableEncryption(passphrase.encode()))


def read_passphrase(pki_dir: Path) -> str:
    path = Path(pki_dir) / PASSPHRASE_FILE
    return path.read_text().strip() if path.exists() else TEST_PASSPHRASE


def load_ca(pki_dir: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    pki_dir = Path(pki_dir)
    cert = x509.load_pem_x509_certificate((pki_dir / CA_CERT).read_bytes())
    key = serialization.load_pem_private_key((pki_dir / CA_KEY).read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return cert, key


@contextlib.contextmanager
def _locked(pki_dir: Path):
    """One writer at a time (parallel test workers, a demo next to a test run)."""
    pki_dir.mkdir(parents=True, exist_ok=True)
    with open(pki_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_ca(pki_dir: Path) -> bool:
    """Writes the test CA and the passphrase file when missing; True when a new CA was made."""
    pki_dir = Path(pki_dir)
    with _locked(pki_dir):
        return _ensure_ca(pki_dir)


def _ensure_ca(pki_dir: Path) -> bool:
    if not (pki_dir / PASSPHRASE_FILE).exists():
        (pki_dir / PASSPHRASE_FILE).write_text(TEST_PASSPHRASE + "\n")
    if (pki_dir / CA_CERT).exists() and (pki_dir / CA_KEY).exists():
        return False
    cert, key = make_ca()
    key_path = pki_dir / CA_KEY
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    (pki_dir / CA_CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    for old in pki_dir.glob("*.p12"):  # issued by a CA that no longer exists
        old.unlink()
    return True


def _id_and_name(issuer: Named | dict[str, Any]) -> tuple[str, str]:
    if isinstance(issuer, dict):
        return issuer["id"], issuer["name"]
    return issuer.id, issuer.name


def issuer_pkcs12_path(pki_dir: Path, issuer_id: str) -> Path:
    if not issuer_id or "/" in issuer_id or issuer_id.startswith("."):
        raise ValueError(f"not an issuer id: {issuer_id!r}")
    return Path(pki_dir) / f"{issuer_id}.p12"


def ensure_issuer_credentials(pki_dir: Path, issuer: Named | dict[str, Any]) -> Path:
    """The PKCS#12 of `issuer` (an Issuer or {"id", "name"}) in `pki_dir`, issued now by the local
    test CA when missing. Raises FileNotFoundError when it is missing and the CA's key is not
    there to issue it (anywhere but a local or test setup)."""
    issuer_id, name = _id_and_name(issuer)
    path = issuer_pkcs12_path(pki_dir, issuer_id)
    if path.exists():
        return path
    if not (Path(pki_dir) / CA_KEY).exists():
        raise FileNotFoundError(f"{path} is missing and there is no test CA key in {pki_dir} to issue it "
                                "(run `make pki`)")
    with _locked(Path(pki_dir)):
        if path.exists():  # another process issued it meanwhile
            return path
        ca_cert, ca_key = load_ca(pki_dir)
        data = make_signer_pkcs12(name, ca_cert, ca_key, read_passphrase(pki_dir))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.chmod(0o600)
        tmp.replace(path)  # atomic: a reader never sees half a file
    return path


def catalog_issuers() -> list[dict[str, Any]]:
    from chalicelib.core.catalogs import issuer_catalog

    return [{"id": i["id"], "name": i["name"]} for i in issuer_catalog()["issuers"]]


def ensure_pki(pki_dir: Path = DEFAULT_DIR) -> list[Path]:
    """The test CA and a PKCS#12 per catalog issuer; returns the PKCS#12 paths."""
    ensure_ca(pki_dir)
    return [ensure_issuer_credentials(pki_dir, issuer) for issuer in catalog_issuers()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    made = ensure_pki(args.dir)
    print(f"test PKI in {args.dir}: {CA_CERT} and {len(made)} issuer certificates")


if __name__ == "__main__":
    main()
