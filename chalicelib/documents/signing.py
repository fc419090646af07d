"""Digital signatures (ký số) of issued documents: PAdES, signed and validated with pyHanko.

- `credentials_for(conf, issuer)`: the issuing body's key and certificate. In the cloud a
  PKCS#12 kept in AWS Secrets Manager (secret `<THIDUA_SIGNING_SECRET_PREFIX><issuer id>`,
  JSON {"pkcs12": base64, "passphrase": str}); locally `<THIDUA_SIGNING_DIR>/<issuer id>.p12`
  from `make pki`'s test CA (devtools/pki.py), issued on demand for a unit without one.
- `sign_pdf(pdf, credentials, ...)`: a PAdES signature whose appearance sits in the signer
  block, in the blank between the signer's title lines and name ("Đã ký: …", the body, the
  time), found from the printed name; invisible when the name is not on any page.
- `validate_pdf(pdf, trust_roots)`: pyHanko's validator (Adobe-style: integrity, chain to the
  trust roots, nothing changed after signing) as a `SignatureReport`; `trust_roots_for(conf)`.
- What the pipeline calls: `sign_issued(conf, pdf, issuer, reason=...)` (the three above for an
  Issuer record) and `verify_signature(conf, pdf)` (`.as_json()`: the verify route's `signature`).

pyHanko, pdfminer and boto3 are imported when called, never at import: only the compile
function signs, and the API validates only when asked to verify.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence
from zoneinfo import ZoneInfo

import chalicelib

if TYPE_CHECKING:
    from chalicelib.core.settings import Settings
    from chalicelib.documents.model import Issuer

ROOT = Path(chalicelib.__file__).resolve().parent.parent
# The documents' own font (Times New Roman metrics, full Vietnamese coverage), shipped in the package.
STAMP_FONT = ROOT / "templates" / "assets" / "fonts" / "LiberationSerif-Regular.ttf"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSPHRASE_FILE = "passphrase"   # devtools/pki.py writes the test passphrase there
LOCAL_STAGES = ("local", "test")  # where a missing test certificate may be issued on demand

# The stamp: at most this wide, at least this high, kept this far from the text around it (points).
STAMP_MAX_WIDTH = 200.0
STAMP_MIN_WIDTH = 170.0
STAMP_MIN_HEIGHT = 28.0
STAMP_MAX_HEIGHT = 80.0
STAMP_GAP = 3.0
STAMP_FONT_SIZE = 10


class SigningUnavailable(RuntimeError):
    """No key or certificate to sign with for this issuer (a configuration problem, said plainly)."""


@dataclass(frozen=True)
class SigningCredentials:
    issuer_id: str
    signer: Any  # pyhanko.sign.signers.SimpleSigner: the key, its certificate and the chain

    @property
    def subject(self) -> str:
        """The certificate's common name: the issuing body ("Bộ Công an")."""
        return _common_name(self.signer.signing_cert.subject) or self.issuer_id


@dataclass(frozen=True)
class SignatureBox:
    """Where the visible signature goes: a page (0-based) and a rectangle in PDF points
    (x1, y1, x2, y2, origin at the bottom left)."""

    page: int
    rect: tuple[float, float, float, float]


@dataclass(frozen=True)
class SignatureReport:
    signed: bool                      # the PDF carries a signature
    intact: bool                      # the signed bytes are unchanged and nothing was changed after signing
    trusted: bool                     # the certificate chains to one of the trust roots
    valid: bool                       # all of it: intact, trusted, cryptographically sound (Adobe's green tick)
    signer: str | None                # who signed: the name in the (signed) signature dictionary,
                                      #   "Thượng tướng Lê Văn Minh", else the certificate's common name
    signed_at: datetime.datetime | None  # the signing time the signature claims (aware, UTC)
    issuer: str | None                # the issuing body whose certificate signed: its subject's common name
                                      #   ("Bộ Công an"), as the document's own `issuer` names it
    modified_after: bool              # bytes were appended after the signature (any revision after it)
    ca: str | None = None             # who issued that certificate (the CA's common name: "thidua test CA")

    def as_json(self) -> dict[str, Any] | None:
        """The `signature` of GET /v1/documents/{id}/verify: None when unsigned."""
        if not self.signed:
            return None
        return {"intact": self.intact, "trusted": self.trusted, "valid": self.valid,
                "signer": self.signer or "", "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "issuer": self.issuer or ""}


UNSIGNED = SignatureReport(signed=False, intact=False, trusted=False, valid=False, signer=None, signed_at=None,
                           issuer=None, modified_after=False)


# --- Credentials -------------------------------------------------------------------------------


def credentials_from_pkcs12(data: bytes, passphrase: str | bytes | None, issuer_id: str) -> SigningCredentials:
    from pyhanko.sign.signers import SimpleSigner

    if isinstance(passphrase, str):
        passphrase = passphrase.encode()
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
    except ValueError as e:
        raise SigningUnavailable(f"the PKCS#12 of issuer {issuer_id} cannot be opened (wrong passphrase?)") from e
    return SigningCredentials(issuer_id=issuer_id, signer=signer)


def _local_dir(conf: "Settings") -> Path:
    path = Path(conf.signing_dir)
    return path if path.is_absolute() else ROOT / path


def _issuer_id_and_name(issuer: "Issuer | str") -> tuple[str, str]:
    if isinstance(issuer, str):
        from chalicelib.documents.issuers import catalog_issuer

        found = catalog_issuer(issuer)
        return issuer, found.name if found else issuer
    return issuer.id, issuer.name


def credentials_for(conf: "Settings", issuer: "Issuer | str", secrets_client: Any = None, *,
                    secrets: Any = None) -> SigningCredentials:
    """The key and certificate `issuer` (an Issuer or its id) signs with. Raises SigningUnavailable
    when there are none. `secrets_client` (or `secrets`): a boto3 Secrets Manager client, made when None."""
    issuer_id, name = _issuer_id_and_name(issuer)
    if conf.signing_secret_prefix:
        return _from_secrets_manager(conf, issuer_id, secrets_client or secrets)
    return _from_directory(conf, issuer_id, name)


def _from_secrets_manager(conf: "Settings", issuer_id: str, client: Any) -> SigningCredentials:
    secret_id = f"{conf.signing_secret_prefix}{issuer_id}"
    if client is None:
        import boto3

        client = boto3.client("secretsmanager", region_name=conf.region)
    try:
        raw = client.get_secret_value(SecretId=secret_id)["SecretString"]
    except Exception as e:  # botocore's ResourceNotFoundException, AccessDenied, ...: all mean "cannot sign"
        code = getattr(e, "response", {}).get("Error", {}).get("Code") or type(e).__name__
        raise SigningUnavailable(f"no signing certificate for issuer {issuer_id}: Secrets Manager secret "
                                 f"{secret_id!r} could not be read ({code})") from e
    try:
        value = json.loads(raw)
        data = base64.b64decode(value["pkcs12"], validate=True)
    except (ValueError, KeyError, TypeError) as e:
        raise SigningUnavailable(f"secret {secret_id!r} must be JSON "
                                 '{"pkcs12": "<base64 PKCS#12>", "passphrase": "..."}') from e
    return credentials_from_pkcs12(data, value.get("passphrase"), issuer_id)


def _from_directory(conf: "Settings", issuer_id: str, name: str) -> SigningCredentials:
    directory = _local_dir(conf)
    if not issuer_id or "/" in issuer_id or issuer_id.startswith("."):
        raise SigningUnavailable(f"not an issuer id: {issuer_id!r}")
    path = directory / f"{issuer_id}.p12"
    pki = _test_pki() if not path.exists() and conf.stage in LOCAL_STAGES else None
    if pki is not None:
        # Local and test stages only: a unit without a catalog entry gets its certificate from the test CA
        # (whose key only `make pki` leaves on a developer's machine), the CA itself made on first use.
        if not (directory / pki.CA_CERT).exists():
            pki.ensure_ca(directory)
        if (directory / pki.CA_KEY).exists():
            pki.ensure_issuer_credentials(directory, {"id": issuer_id, "name": name})
    if not path.exists():
        raise SigningUnavailable(f"no signing certificate for issuer {issuer_id}: {path} does not exist "
                                 "(run `make pki`, or set THIDUA_SIGNING_SECRET_PREFIX to use Secrets Manager)")
    passphrase_file = directory / PASSPHRASE_FILE
    passphrase = passphrase_file.read_text().strip() if passphrase_file.exists() else None
    return credentials_from_pkcs12(path.read_bytes(), passphrase, issuer_id)


def _test_pki() -> Any:
    """devtools/pki.py where the repository is checked out; None in a Lambda package (no devtools)."""
    try:
        from devtools import pki
    except ImportError:
        return None
    return pki


def trust_roots_for(conf: "Settings") -> list[Any]:
    """The root certificates (asn1crypto) a signature must chain to: THIDUA_SIGNING_TRUST's PEM files,
    else the local test CA when signing from a directory; none otherwise."""
    paths: list[Path] = []
    if conf.signing_trust:
        for part in conf.signing_trust.split(","):
            if part.strip():
                path = Path(part.strip())
                paths.append(path if path.is_absolute() else ROOT / path)
    elif not conf.signing_secret_prefix:
        ca = _local_dir(conf) / "ca.crt"
        pki = _test_pki() if not ca.exists() and conf.stage in LOCAL_STAGES else None
        if pki is not None:  # the CA that on-demand certificates would come from: made now so both agree
            pki.ensure_ca(_local_dir(conf))
        paths = [ca] if ca.exists() else []
    roots: list[Any] = []
    for path in paths:
        roots.extend(_certificates(path.read_bytes()))
    return roots


def _certificates(data: bytes) -> list[Any]:
    """asn1crypto certificates from PEM (one or more) or DER bytes."""
    from asn1crypto import pem, x509

    if pem.detect(data):
        return [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"]
    return [x509.Certificate.load(data)]


def _as_asn1(cert: Any) -> Any:
    from asn1crypto import x509

    if isinstance(cert, x509.Certificate):
        return cert
    if isinstance(cert, (bytes, bytearray)):
        return _certificates(bytes(cert))
    if hasattr(cert, "public_bytes"):  # cryptography's x509.Certificate
        from cryptography.hazmat.primitives.serialization import Encoding

        return x509.Certificate.load(cert.public_bytes(Encoding.DER))
    raise TypeError(f"not a certificate: {type(cert).__name__}")


def _common_name(name: Any) -> str | None:
    native = name.native if hasattr(name, "native") else {}
    value = native.get("common_name") or native.get("organization_name")
    return str(value) if value else None


# --- Where the stamp goes ------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _page_lines(pdf: bytes, page_index: int) -> tuple[list[_Line], tuple[float, float, float, float]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    lines: list[_Line] = []
    bbox = (0.0, 0.0, 595.0, 842.0)
    for page in extract_pages(io.BytesIO(pdf), page_numbers=[page_index], laparams=LAParams()):
        bbox = tuple(page.bbox)  # type: ignore[assignment]
        for element in page:
            if isinstance(element, LTTextContainer):
                for line in element:
                    if isinstance(line, LTTextLine) and line.get_text().strip():
                        lines.append(_Line(_norm(line.get_text()), *line.bbox))
    return lines, bbox


def _page_count(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def find_signature_box(pdf: bytes, signer_name: str, signer_title: str | None = None) -> SignatureBox | None:
    """The blank between the signer's title lines and the printed name, on the last page that prints
    the name on a line of its own (the signer block ends the document, or its main part before an
    attachment); below the title's last line when no name is printed. None when neither is found."""
    name = _norm(signer_name or "")
    title = _norm((signer_title or "").strip().splitlines()[-1]) if (signer_title or "").strip() else ""
    if not name and not title:
        return None
    pages = _page_count(pdf)
    for page_index in range(pages - 1, -1, -1):
        lines, bbox = _page_lines(pdf, page_index)
        named = [line for line in lines if name and line.text == name]
        if named:
            anchor = min(named, key=lambda line: line.y0)  # the lowest: the signer block, not a mention above
            x0, x1 = _columns(anchor, bbox)
            bottom = anchor.y1 + STAMP_GAP
            above = [line.y0 - STAMP_GAP for line in lines if line.y0 > anchor.y1 and line.x0 < x1 and line.x1 > x0]
            return _box(page_index, x0, x1, bottom, min([*above, bottom + STAMP_MAX_HEIGHT]))
        titled = [line for line in lines if title and line.text == title]
        if titled:
            anchor = min(titled, key=lambda line: line.y0)
            x0, x1 = _columns(anchor, bbox)
            top = anchor.y0 - STAMP_GAP
            below = [line.y1 + STAMP_GAP for line in lines if line.y1 < anchor.y0 and line.x0 < x1 and line.x1 > x0]
            return _box(page_index, x0, x1, max([*below, top - STAMP_MAX_HEIGHT, bbox[1] + 20]), top)
    return None


def _columns(anchor: _Line, page: tuple[float, float, float, float]) -> tuple[float, float]:
    """The stamp's left and right: centred on the line it belongs to, as wide as it within limits."""
    width = min(max(anchor.x1 - anchor.x0, STAMP_MIN_WIDTH), STAMP_MAX_WIDTH)
    x0 = max(page[0] + 10, min((anchor.x0 + anchor.x1 - width) / 2, page[2] - 10 - width))
    return x0, x0 + width


def _box(page_index: int, x0: float, x1: float, bottom: float, top: float) -> SignatureBox | None:
    if top - bottom < STAMP_MIN_HEIGHT:
        return None  # no room: a stamp over the text would hide it
    return SignatureBox(page=page_index, rect=(round(x0, 2), round(bottom, 2), round(x1, 2), round(top, 2)))


# --- Signing ---------------------------------------------------------------------------------------

# Latin, Vietnamese and punctuation: all a stamp prints.
_STAMP_UNICODES = [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x1EA0, 0x1F00), *range(0x2000, 0x2070)]


def _stamp_font() -> Path:
    """STAMP_FONT with 1000 units per em, in the temporary folder (made once per process or machine).

    pyHanko writes a font's glyph widths in its own units where PDF wants thousandths of an em, so
    with Liberation's 2048 every letter of the stamp would stand twice its width apart."""
    import hashlib
    import logging
    import os
    import tempfile

    stat = STAMP_FONT.stat()
    tag = hashlib.sha256(f"{STAMP_FONT}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"thidua-stamp-{tag}.ttf"
    if target.exists():
        return target
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset" is not news
    font = ttLib.TTFont(STAMP_FONT)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False  # hints are not scaled; a stamp does not need them
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_STAMP_UNICODES)
    subsetter.subset(font)
    scale_upem(font, 1000)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    font.save(tmp)
    tmp.replace(target)
    return target



_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def _vietnamese_stamp_style() -> type:
    """pyHanko's text stamp, showing the signing time (the very instant the signature claims, which pyHanko
    hands over in the machine's zone: UTC on Lambda) as a Vietnamese reader writes it."""
    from dataclasses import dataclass as frozen_dataclass

    from pyhanko.stamp import TextStampStyle

    @frozen_dataclass(frozen=True)
    class VietnameseStampStyle(TextStampStyle):
        def create_stamp(self, writer, box, text_params):  # type: ignore[no-untyped-def]
            moment = datetime.datetime.strptime(text_params["ts"], _ISO_FORMAT)
            return super().create_stamp(writer, box, {**text_params, "ts": _stamp_time(moment)})

    return VietnameseStampStyle


def _stamp_time(moment: datetime.datetime) -> str:
    """"05/09/2021 14:03:27 +07:00": the day first, as Vietnamese dates are written, in Việt Nam's time."""
    local = moment.astimezone(VN_TZ)
    return local.strftime("%d/%m/%Y %H:%M:%S ") + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def sign_pdf(pdf: bytes, credentials: SigningCredentials, *, signer_name: str, location: str, reason: str,
             field_name: str = "Signature1", box: SignatureBox | None = None,
             signer_title: str | None = None) -> bytes:
    """`pdf` signed PAdES (B-B: the certificate chain embedded, no timestamp or revocation data) as an
    incremental update. The appearance goes in `box`, else where `find_signature_box` finds the signer
    block (`signer_title`: the title lines, used when the name is not printed), else it is invisible."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers

    if box is None:
        box = find_signature_box(pdf, signer_name, signer_title)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location, name=signer_name or credentials.subject)
    spec = (fields.SigFieldSpec(sig_field_name=field_name, on_page=box.page, box=box.rect) if box
            else fields.SigFieldSpec(sig_field_name=field_name))
    style = _vietnamese_stamp_style()(
        # Every value goes in as a parameter: a "%" in a name must not be read as a format.
        stamp_text="Đã ký: %(signer)s\n%(body)s\nThời gian: %(ts)s",
        timestamp_format=_ISO_FORMAT,  # read back by the style, shown in Việt Nam's time
        # The same size for the font engine and the box, else every line after the first drifts right
        # (pyHanko issue #733).
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(_stamp_font()), font_size=STAMP_FONT_SIZE),
                                    font_size=STAMP_FONT_SIZE, leading=STAMP_FONT_SIZE + 2),
        border_width=1, border_color=(0.75, 0.0, 0.0),  # the red frame Vietnamese signing tools draw
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(4), inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=credentials.signer, stamp_style=style, new_field_spec=spec).sign_pdf(
        writer, output=out,
        appearance_text_params={"signer": signer_name or credentials.subject, "body": credentials.subject})
    return out.getvalue()


def sign_issued(conf: "Settings", pdf: bytes, issuer: "Issuer", *, reason: str,
                secrets_client: Any = None) -> bytes:
    """An issued document signed for `issuer` (the Issuer record its header and signer block come from):
    its body's key, the stamp over its signer block, its place as the signature's location."""
    credentials = credentials_for(conf, issuer, secrets_client)
    return sign_pdf(pdf, credentials, signer_name=issuer.signer_name, signer_title="\n".join(issuer.signer_lines),
                    location=issuer.place, reason=reason)


# --- Validation ------------------------------------------------------------------------------------


def validate_pdf(pdf: bytes, trust_roots: Iterable[Any]) -> SignatureReport:
    """The document's signature judged by pyHanko's validator against `trust_roots` (certificates:
    asn1crypto, cryptography, PEM or DER bytes). No network: revocation is not fetched."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots: list[Any] = []
    for cert in trust_roots:
        converted = _as_asn1(cert)
        roots.extend(converted if isinstance(converted, list) else [converted])
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - a PDF too broken to read: signed only if it says so
        return _broken(pdf)
    if not embedded:
        return _broken(pdf) if b"/ByteRange" in pdf else UNSIGNED
    signature = embedded[-1]  # the newest: the office signs once, at ban hành
    try:
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception:  # noqa: BLE001 - a mangled signature value or structure
        return _broken(pdf)
    modified_after = status.coverage != SignatureCoverageLevel.ENTIRE_FILE
    acceptable = (not modified_after) or status.modification_level in (ModificationLevel.NONE,
                                                                        ModificationLevel.LTA_UPDATES)
    intact = bool(status.intact and status.coverage is not None
                  and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION and acceptable)
    trusted = bool(status.trusted)
    cert = status.signing_cert
    name = signature.sig_object.get("/Name")
    signed_at = status.signer_reported_dt
    return SignatureReport(
        signed=True, intact=intact, trusted=trusted, valid=bool(intact and trusted and status.bottom_line),
        signer=str(name) if name else _common_name(cert.subject), signed_at=signed_at,
        issuer=_common_name(cert.subject), modified_after=modified_after, ca=_common_name(cert.issuer))


def verify_signature(conf: "Settings", pdf: bytes) -> SignatureReport:
    """`validate_pdf` against the stage's trust roots (what GET/POST …/verify report)."""
    return validate_pdf(pdf, trust_roots_for(conf))


def _broken(pdf: bytes) -> SignatureReport:
    if b"/ByteRange" not in pdf:
        return UNSIGNED
    return SignatureReport(signed=True, intact=False, trusted=False, valid=False, signer=None, signed_at=None,
                           issuer=None, modified_after=True)


__all__: Sequence[str] = (
    "SignatureBox", "SignatureReport", "SigningCredentials", "SigningUnavailable", "credentials_for",
    "credentials_from_pkcs12", "find_signature_box", "sign_issued", "sign_pdf", "trust_roots_for", "validate_pdf",
    "verify_signature")
