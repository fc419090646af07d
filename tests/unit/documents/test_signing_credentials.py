"""Where the signing key comes from: the test PKI (`make pki`, devtools/pki.py) locally, a PKCS#12
in Secrets Manager in the cloud; and the settings that choose between them. No WeasyPrint here
(tests/integration/test_signing.py signs real documents)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from chalicelib.core.settings import settings
from chalicelib.documents import signing
from chalicelib.documents.issuers import catalog_issuer, unit_issuer
from devtools import pki

CATALOG_IDS = ["bo-cong-an", "van-phong-bo", "ca-binh-duong", "ca-da-nang", "cuc-csgt"]


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_pki(directory)
    return directory


def conf_for(directory, **extra: str):
    return settings({"THIDUA_STAGE": "test", "THIDUA_SIGNING_DIR": str(directory), **extra})


def test_make_pki_makes_a_ca_and_one_certificate_per_catalog_issuer(pki_dir):
    ca = x509.load_pem_x509_certificate((pki_dir / "ca.crt").read_bytes())
    assert ca.subject.rfc4514_string() == "CN=thidua test CA,O=thidua test CA,C=VN"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for issuer_id in CATALOG_IDS:
        _, cert, chain = pkcs12.load_key_and_certificates((pki_dir / f"{issuer_id}.p12").read_bytes(),
                                                          pki.TEST_PASSPHRASE.encode())
        name = catalog_issuer(issuer_id).name
        assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == name
        assert cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value == name
        assert cert.issuer == ca.subject and [c.subject for c in chain] == [ca.subject]
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
        assert pki.DOCUMENT_SIGNING in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert (pki_dir / "passphrase").read_text().strip() == pki.TEST_PASSPHRASE


def test_make_pki_again_changes_nothing(pki_dir):
    before = {p.name: p.read_bytes() for p in pki_dir.iterdir() if p.is_file()}
    pki.ensure_pki(pki_dir)
    assert {p.name: p.read_bytes() for p in pki_dir.iterdir() if p.is_file()} == before


def test_a_new_ca_reissues_the_certificates_of_the_old_one(tmp_path):
    ministry = {"id": "bo-cong-an", "name": "Bộ Công an"}
    pki.ensure_ca(tmp_path)
    pki.ensure_issuer_credentials(tmp_path, ministry)
    old = (tmp_path / "bo-cong-an.p12").read_bytes()
    (tmp_path / "ca.key").unlink()
    assert pki.ensure_ca(tmp_path) and not (tmp_path / "bo-cong-an.p12").exists()
    pki.ensure_issuer_credentials(tmp_path, ministry)
    _, cert, _ = pkcs12.load_key_and_certificates((tmp_path / "bo-cong-an.p12").read_bytes(),
                                                  pki.TEST_PASSPHRASE.encode())
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.crt").read_bytes())
    assert (tmp_path / "bo-cong-an.p12").read_bytes() != old
    cert.verify_directly_issued_by(ca)


def test_a_unit_without_a_catalog_entry_gets_its_certificate_on_demand(pki_dir):
    issuer = unit_issuer({"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An", "kind": "province"})
    assert not (pki_dir / "ca-nghe-an.p12").exists()
    credentials = signing.credentials_for(conf_for(pki_dir), issuer)
    assert credentials.issuer_id == "ca-nghe-an" and credentials.subject == "Công an tỉnh Nghệ An"
    assert (pki_dir / "ca-nghe-an.p12").exists()
    again = signing.credentials_for(conf_for(pki_dir), issuer)  # the same certificate, not a new one
    assert again.signer.signing_cert.dump() == credentials.signer.signing_cert.dump()


def test_no_certificate_is_issued_without_the_ca_key(tmp_path):
    pki.ensure_ca(tmp_path)
    pki.ensure_issuer_credentials(tmp_path, catalog_issuer("bo-cong-an"))
    (tmp_path / "ca.key").unlink()
    with pytest.raises(FileNotFoundError, match="make pki"):
        pki.ensure_issuer_credentials(tmp_path, {"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An"})
    with pytest.raises(signing.SigningUnavailable, match="ca-nghe-an.p12"):
        signing.credentials_for(conf_for(tmp_path), "ca-nghe-an")
    assert signing.credentials_for(conf_for(tmp_path), "bo-cong-an").subject == "Bộ Công an"  # issued before


def test_outside_local_stages_a_missing_certificate_is_an_error_not_a_new_one(tmp_path):
    conf = settings({"THIDUA_STAGE": "prod", "THIDUA_SIGNING_DIR": str(tmp_path / "none")})
    with pytest.raises(signing.SigningUnavailable, match="bo-cong-an"):
        signing.credentials_for(conf, "bo-cong-an")
    assert not (tmp_path / "none").exists()
    assert signing.trust_roots_for(conf) == []


def test_an_issuer_id_cannot_leave_the_folder(pki_dir):
    for bad in ("../ca", "a/b", ".hidden", ""):
        with pytest.raises(signing.SigningUnavailable):
            signing.credentials_for(conf_for(pki_dir), bad)


def test_a_wrong_passphrase_says_so(pki_dir, tmp_path):
    (tmp_path / "bo-cong-an.p12").write_bytes((pki_dir / "bo-cong-an.p12").read_bytes())
    (tmp_path / "passphrase").write_text("not it\n")
    with pytest.raises(signing.SigningUnavailable, match="passphrase"):
        signing.credentials_for(settings({"THIDUA_STAGE": "prod", "THIDUA_SIGNING_DIR": str(tmp_path)}),
                                "bo-cong-an")


class FakeSecrets:
    """Secrets Manager's get_secret_value, as boto3 answers it."""

    class NotFound(Exception):
        response = {"Error": {"Code": "ResourceNotFoundException"}}

    def __init__(self, secrets: dict[str, str]):
        self.secrets, self.asked = secrets, []

    def get_secret_value(self, SecretId: str) -> dict:  # noqa: N803 - boto3's spelling
        self.asked.append(SecretId)
        if SecretId not in self.secrets:
            raise self.NotFound(SecretId)
        return {"Name": SecretId, "SecretString": self.secrets[SecretId]}


def test_in_the_cloud_the_pkcs12_comes_from_secrets_manager(pki_dir):
    ca_cert, ca_key = pki.load_ca(pki_dir)
    p12 = pki.make_signer_pkcs12("Cục Cảnh sát giao thông", ca_cert, ca_key, passphrase="mật khẩu")
    client = FakeSecrets({"thidua-prod/signing/cuc-csgt": json.dumps(
        {"pkcs12": base64.b64encode(p12).decode(), "passphrase": "mật khẩu"})})
    conf = settings({"THIDUA_STAGE": "prod", "THIDUA_SIGNING_SECRET_PREFIX": "thidua-prod/signing/"})
    credentials = signing.credentials_for(conf, catalog_issuer("cuc-csgt"), secrets_client=client)
    assert credentials.subject == "Cục Cảnh sát giao thông" and client.asked == ["thidua-prod/signing/cuc-csgt"]
    assert signing.credentials_for(conf, "cuc-csgt", secrets=client).subject == "Cục Cảnh sát giao thông"
    with pytest.raises(signing.SigningUnavailable, match="thidua-prod/signing/bo-cong-an.*ResourceNotFound"):
        signing.credentials_for(conf, "bo-cong-an", secrets_client=client)


def test_a_malformed_secret_is_named(pki_dir):
    client = FakeSecrets({"p/bo-cong-an": "not json"})
    conf = settings({"THIDUA_STAGE": "prod", "THIDUA_SIGNING_SECRET_PREFIX": "p/"})
    with pytest.raises(signing.SigningUnavailable, match="'p/bo-cong-an' must be JSON"):
        signing.credentials_for(conf, "bo-cong-an", secrets_client=client)


def test_settings_name_where_keys_and_trust_come_from(pki_dir):
    default = settings({})
    assert (default.signing_dir, default.signing_secret_prefix, default.signing_trust) == (".cache/pki", "", "")
    conf = settings({"THIDUA_SIGNING_DIR": " /x ", "THIDUA_SIGNING_SECRET_PREFIX": "thidua/dev/signing/",
                     "THIDUA_SIGNING_TRUST": "a.pem,b.pem"})
    assert (conf.signing_dir, conf.signing_secret_prefix, conf.signing_trust) == (
        "/x", "thidua/dev/signing/", "a.pem,b.pem")


def test_trust_roots_are_the_local_test_ca_or_the_configured_files(pki_dir, tmp_path):
    [root] = signing.trust_roots_for(conf_for(pki_dir))
    assert root.dump() == x509.load_pem_x509_certificate((pki_dir / "ca.crt").read_bytes()).public_bytes(Encoding.DER)
    other, _ = pki.make_ca("another CA")
    (tmp_path / "roots.pem").write_bytes((pki_dir / "ca.crt").read_bytes() + other.public_bytes(Encoding.PEM))
    roots = signing.trust_roots_for(settings({"THIDUA_SIGNING_TRUST": str(tmp_path / "roots.pem"),
                                              "THIDUA_SIGNING_SECRET_PREFIX": "p/"}))
    assert [r.subject.native["common_name"] for r in roots] == ["thidua test CA", "another CA"]


def test_an_unsigned_or_unreadable_file_reports_no_signature():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    blank = io.BytesIO()
    writer.write(blank)
    for data in (blank.getvalue(), b"not a pdf"):
        report = signing.validate_pdf(data, [])
        assert not report.signed and not report.valid and report.as_json() is None


def test_a_truncated_or_garbled_signed_copy_is_reported_broken_not_raised(pki_dir):
    """An uploaded copy may be anything (POST /v1/documents/verify): a report, never an exception."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    blank = io.BytesIO()
    writer.write(blank)
    credentials = signing.credentials_for(conf_for(pki_dir), "bo-cong-an")
    signed = signing.sign_pdf(blank.getvalue(), credentials, signer_name="Thượng tướng Lê Văn Minh",
                              location="Hà Nội", reason="Thử")
    roots = signing.trust_roots_for(conf_for(pki_dir))
    assert signing.validate_pdf(signed, roots).valid  # invisible (no text to find), and sound
    # cut short after the signature (its trailer lost), its dictionary mangled, a forgery of one
    for copy in (signed[:-100], signed.replace(b"/ByteRange", b"/ByteRangX", 1) + b"/ByteRange",
                 b"%PDF-1.7\n/ByteRange [0 1 2 3]\n%%EOF"):
        report = signing.validate_pdf(copy, roots)
        assert report.signed and not report.intact and not report.valid and report.as_json()["valid"] is False
    assert not signing.validate_pdf(signed[: len(signed) // 2], roots).signed  # the signature cut off: unsigned
