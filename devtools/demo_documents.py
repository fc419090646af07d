"""`make demo`, the documents' half (issue 18): drafts, the office's assessment, trình ký to the signers,
their approval from signed-in sessions, then ban hành (numbered, signed, DOCX) and gửi.

    dự thảo (compile) → PATCH assessment → dự thảo mới → trình ký (POST …/submit, one email to the signer)
    → duyệt (POST …/approve, the signer's session) → ban hành + ký số + gửi (compile)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.accounts import factors, service
from chalicelib.accounts.models import AccountIn
from chalicelib.accounts.passwords import Passwords
from chalicelib.core.clock import SystemClock
from chalicelib.store import Store
from devtools.demo_accounts import DEMO, DEMO_PASSWORD, _enrol_totp
from devtools.stack import Http, Stack

# The office's assessment of the period (Văn phòng writes it before trình ký), from the seed articles.
ASSESSMENT = {
    "overall": (
        "Thời gian qua, lãnh đạo Bộ Công an, Ban Chỉ đạo của Bộ Công an về phòng, chống dịch bệnh đã quán triệt, "
        "thực hiện nghiêm chỉ đạo của Thủ tướng Chính phủ, Ban Chỉ đạo Quốc gia về phòng, chống dịch COVID-19. "
        "Bộ Công an đã huy động trên 100.000 cán bộ, chiến sỹ tham gia hầu hết các khâu, hoạt động phòng, chống "
        "dịch, từ truy vết, khoanh vùng, chốt chặn đến hỗ trợ tiêm vắc-xin, điều trị cho người bệnh.\n"
        "Công an tỉnh Nghệ An thành lập 1 tổ truy vết của Công an tỉnh và 51 tổ truy vết tại các đơn vị, địa "
        "phương, huy động hơn 1.500 cán bộ, chiến sỹ; triển khai 30 phương án đón, dẫn trên 15.000 công dân; "
        "tuyên truyền, nhắc nhở 14.560 trường hợp vi phạm và tham mưu xử phạt hành chính 6.969 trường hợp. "
        "Lực lượng Y tế Công an nhân dân phát huy vai trò cốt lõi: Bệnh viện 19-8 và Bệnh viện Y học cổ truyền "
        "chi viện hàng trăm cán bộ, chiến sỹ cho Bệnh viện dã chiến tại Bắc Giang; Bệnh viện 199 là một trong "
        "những cơ sở chủ chốt xét nghiệm, cách ly, điều trị tại thành phố Đà Nẵng."),
    "shortcomings": (
        "Tình hình tội phạm chống người thi hành công vụ tại các chốt kiểm soát phòng, chống dịch còn diễn biến "
        "phức tạp; hoạt động xuất nhập cảnh trái phép qua biên giới chưa được ngăn chặn triệt để; nguồn vắc-xin, "
        "vật tư, trang thiết bị cho lực lượng Công an ở tuyến đầu chưa đáp ứng đủ yêu cầu."),
    "causes": (
        "Dịch bệnh diễn biến nhanh, phức tạp ở nhiều địa phương cùng lúc; lực lượng phải thực hiện đồng thời "
        "nhiệm vụ phòng, chống dịch và bảo đảm an ninh, trật tự; việc phân bổ vắc-xin và vật tư y tế còn phụ "
        "thuộc vào nguồn cung chung."),
    "directions": (
        "Tiếp tục thực hiện \"mục tiêu kép\"; tuyệt đối không chủ quan, lơ là trong phòng, chống dịch; bảo đảm "
        "an ninh tại các khu công nghiệp, vùng kinh tế trọng điểm như Thành phố Hồ Chí Minh, Bình Dương, Đồng "
        "Nai; Bộ Tư lệnh Cảnh sát cơ động phối hợp Công an các tỉnh, thành phố tăng cường lực lượng về các "
        "phường, xã, xây dựng mỗi phường, xã là một \"pháo đài chống dịch\"; Cục Cảnh sát giao thông phối hợp "
        "các địa phương xử lý nghiêm hành vi chống người thi hành công vụ tại các chốt kiểm soát."),
    "recommendations": (
        "Đề nghị Cục Y tế chủ động phối hợp với các cơ quan chức năng đề xuất Bộ Y tế tăng lượng vắc-xin phòng "
        "COVID-19 cho lực lượng Công an; bổ sung vật tư, phương tiện, trang thiết bị cho các đơn vị đang làm "
        "nhiệm vụ ở tuyến đầu; bảo đảm hậu cần cho các chốt có cán bộ, chiến sỹ ăn, ở tập trung."),
}

# Who signs what, as issuers.json names them: (email, name, role, unit_id, TOTP secret, issuer ids signed for)
SIGNERS = (
    ("thutruong.minh@thidua.local", "Thượng tướng Lê Văn Minh", "leader", None,
     "THIDUADEMOLEVANMINHAAAAAAAAAAAAA", ("bo-cong-an",)),
    ("chanhvanphong@thidua.local", "Thiếu tướng Trần Quốc Hưng", "leader", None,
     "THIDUADEMOTRANQUOCHUNGAAAAAAAAAA", ("van-phong-bo",)),
    ("giamdoc.binhduong@thidua.local", "Đại tá Nguyễn Thanh Sơn", "unit", "ca-binh-duong", None, ("ca-binh-duong",)),
)


def _check(status: int, body: object, expected: tuple[int, ...], what: str) -> None:
    if status not in expected:
        raise SystemExit(f"demo failed: {what} answered {status}: {body}")


def write_assessment(admin: Http, conference_id: str) -> None:
    status, _, body = admin.call("PATCH", f"/v1/conferences/{conference_id}", {"assessment": ASSESSMENT})
    _check(status, body, (200,), "PATCH /v1/conferences/{id} (assessment)")
    for key, text in body["assessment"].items():
        print(f"  {key:<16} {len(text):>5} ký tự")


def create_signers(store: Store) -> list[dict[str, Any]]:
    """The signers' accounts (reset to the demo password when they exist), with their TOTP secrets."""
    now = SystemClock().now()
    passwords = Passwords()
    made = []
    for email, name, role, unit_id, secret, issuers in SIGNERS:
        existing, _ = store.accounts.by_email(email)
        if existing is None:
            account, token = service.create_account(store, DEMO, AccountIn(email=email, name=name, role=role,
                                                                           unit_id=unit_id), now)
        else:
            account, token = service.reinvite(store, DEMO, existing["id"], now)
        account = service.set_password(store, token, DEMO_PASSWORD, passwords, now)
        if secret:
            _enrol_totp(store, account, secret, now)
        made.append({"id": account["id"], "email": email, "name": name, "role": role, "unit_id": unit_id,
                     "totp_secret": secret, "issuers": issuers})
        print(f"  {email:<32} {name} ({role}{', ' + unit_id if unit_id else ''}): ký cho {', '.join(issuers)}")
    return made


def sign_in(stack: Stack, signer: dict[str, Any]) -> str:
    """A signed-in session (POST /v1/sessions): password, and the authenticator code for leaders."""
    body = {"email": signer["email"], "password": DEMO_PASSWORD}
    if signer["totp_secret"]:
        body["otp"] = factors.totp_code(signer["totp_secret"], SystemClock().now())
    status, _, session = Http(stack.api_url).call("POST", "/v1/sessions", body)
    _check(status, session, (201,), f"POST /v1/sessions {signer['email']}")
    return session["token"]


def documents(admin: Http, conference_id: str) -> list[dict[str, Any]]:
    status, _, body = admin.call("GET", f"/v1/conferences/{conference_id}/documents?limit=100")
    _check(status, body, (200,), "GET /v1/conferences/{id}/documents")
    return body["items"]


def submit_all(admin: Http, conference_id: str, signers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trình ký every current draft whose issuer has a signer here (the others stay drafts)."""
    by_issuer = {issuer: s for s in signers for issuer in s["issuers"]}
    submitted = []
    for doc in documents(admin, conference_id):
        if not doc["current"] or doc["stage"] != "draft":
            continue
        signer = by_issuer.get((doc["issuer"] or {}).get("id"))
        if signer is None:
            print(f"  {doc['stream']:<48} để dự thảo (chưa có tài khoản người ký của {doc['issuer']['name']})")
            continue
        status, _, body = admin.call("POST", f"/v1/documents/{doc['document_id']}/submit",
                                     {"signer_account_id": signer["id"], "number": None})
        _check(status, body, (200,), "POST /v1/documents/{id}/submit")
        print(f"  {doc['stream']:<48} trình {signer['name']}")
        submitted.append(body)
    return submitted


def approve_all(stack: Stack, signers: list[dict[str, Any]]) -> None:
    """Each signer, signed in, approves what waits for them (GET /v1/signing-requests)."""
    for signer in signers:
        session = Http(stack.api_url, sign_in(stack, signer))
        status, _, waiting = session.call("GET", "/v1/signing-requests")
        _check(status, waiting, (200,), "GET /v1/signing-requests")
        for doc in waiting["items"]:
            status, _, body = session.call("POST", f"/v1/documents/{doc['document_id']}/approve")
            _check(status, body, (202,), "POST /v1/documents/{id}/approve")
            print(f"  {signer['name']} duyệt {doc['stream']}")


def files(stack: Stack, admin: Http, conference_id: str) -> list[tuple[str, Path, Path | None]]:
    """(what, PDF path, DOCX path) of each stream's current document."""
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for

    store = store_for(settings(stack.env))
    root = Path(stack.env["THIDUA_ARTIFACTS"])
    out = []
    for doc in documents(admin, conference_id):
        if not doc["current"]:
            continue
        record = store.documents.get(doc["document_id"])
        what = f"{doc['stream']} ({doc['number'] or 'dự thảo'}, {doc['stage']})"
        out.append((what, root / record["artifact_key"], root / record["docx_key"] if record.get("docx_key") else None))
    return out


def emails(out: Path) -> list[tuple[str, Path]]:
    """Every email the demo sent: trình ký (to a signer) and gửi (issued documents)."""
    from email import policy
    from email.parser import BytesParser

    listed = []
    for path in sorted((out / "outbox").glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        to = ", ".join(a.addr_spec for a in message["To"].addresses)
        listed.append((f"{to}: {message['Subject']}", path))
    return listed
