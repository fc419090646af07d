/** Xác thực văn bản (#/xac-thuc/<document_id>, no sign-in needed): what the public record says of a document (number,
 * date, stage, replaced by) and of its digital signature; and a PDF copy checked against it (an altered copy fails). */
import { useEffect, useState } from "preact/hooks";
import { api, apiBase, asProblem, describe } from "../../api/client";
import type { components } from "../../api/schema";
import { dateTime } from "../../lib/format";
import { Heading, Loading, Notice } from "../../ui";
import { KIND, OFFLINE, citation } from "./chain";
import "./documents.css";

type Signature = components["schemas"]["SignatureReport"];
/** GET …/verify, or POST /v1/documents/verify (with `matches`: the upload is byte for byte the issued file). */
type Report = components["schemas"]["Verification"] & { matches?: boolean };

const STAGE: Record<string, string> = {
  draft: "Dự thảo (chưa ban hành, không có giá trị pháp lý)",
  submitted: "Dự thảo đã trình ký, chưa ban hành",
  approved: "Đã ký, đang ban hành",
  issued: "Đã ban hành, còn hiệu lực",
  replaced: "Đã bị thay thế",
};

function kindText(kind: string): string {
  return KIND[kind.split("@")[0]] ?? kind;
}

export default function Verify({ documentId }: { documentId: string }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.GET("/v1/documents/{document_id}/verify", { params: { path: { document_id: documentId } } }).then(
      ({ data, error: e, response }) => (data ? setReport(data) : setError(describe(asProblem(e, response)))),
      () => setError(OFFLINE));
  }, [documentId]);

  return (
    <section class="verify">
      <Heading>Xác thực văn bản</Heading>
      {error && <Notice kind="error">{error}</Notice>}
      {!report && !error && <Loading />}
      {report && <ReportView report={report} />}
      {report && <CheckCopy />}
    </section>
  );
}

function ReportView({ report: r }: { report: Report }) {
  const stage = r.stage ?? (r.number ? "issued" : "draft");
  const replaced = r.replaced_by;
  return (
    <div class="card">
      <h2>{kindText(r.kind)}{r.number ? ` số ${citation(r.number, r.date)}` : " (dự thảo)"}</h2>
      <p>{r.title}</p>
      <dl class="doc-facts doc-facts--wide">
        <dt>Mã xác thực</dt><dd>{r.code}</dd>
        <dt>Tình trạng</dt><dd><strong>{STAGE[stage] ?? stage}</strong></dd>
        {replaced && (
          <><dt>Thay thế bằng</dt><dd>{replaced.number ? `${kindText(r.kind)} số ${citation(replaced.number, replaced.issued_on)}`
            : "một văn bản mới đang được ban hành"}</dd></>
        )}
      </dl>
      {r.matches === true && <Notice kind="ok">Tệp này trùng khớp từng byte với bản đã ban hành.</Notice>}
      {stage === "issued" && !r.current ? (
        // Its replacement is only a draft yet: this one stays in force until that one is issued.
        <Notice kind="info">Văn bản thay thế văn bản này đang được soạn (chưa ban hành); văn bản này còn hiệu lực cho tới khi
          văn bản thay thế được ban hành.</Notice>
      ) : r.notice && <Notice kind="warn">{r.notice}</Notice>}
      <SignatureView signature={r.signature ?? null} />
    </div>
  );
}

function SignatureView({ signature: s }: { signature: Signature | null }) {
  if (!s) return <Notice kind="info">Văn bản này không có chữ ký số (dự thảo hoặc văn bản cũ).</Notice>;
  return (
    <>
      <Notice kind={s.valid ? "ok" : "error"}>
        <p><strong>{s.valid ? "Chữ ký số hợp lệ." : "Chữ ký số KHÔNG hợp lệ."}</strong></p>
        <p>{s.intact ? "Nội dung không bị sửa đổi sau khi ký." : "Nội dung đã bị sửa đổi sau khi ký."}{" "}
          {s.trusted ? "Chứng thư số được tin cậy." : "Chứng thư số không được tin cậy."}</p>
      </Notice>
      <dl class="doc-facts doc-facts--wide">
        <dt>Người ký</dt><dd>{s.signer}</dd>
        <dt>Cơ quan</dt><dd>{s.issuer}</dd>
        <dt>Thời điểm ký</dt><dd>{dateTime(s.signed_at)}</dd>
      </dl>
    </>
  );
}

/** POST /v1/documents/verify with a PDF someone holds: the same report, or why it does not match. */
function CheckCopy() {
  const [result, setResult] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function check(file: File | undefined) {
    setResult(null);
    setError(null);
    if (!file) return;
    if (file.size > 10 * 1024 * 1024) {
      setError("Tệp lớn hơn 10 MB: không phải văn bản do hệ thống phát hành.");
      return;
    }
    setBusy(true);
    try {
      const response = await fetch(`${apiBase()}/v1/documents/verify`, {
        method: "POST", headers: { "Content-Type": "application/pdf", Accept: "application/json" }, body: file });
      const body: unknown = await response.json().catch(() => undefined);
      if (response.ok) setResult(body as Report);
      else setError(describe(asProblem(body, response)));
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="card">
      <h2>Kiểm tra một bản PDF</h2>
      <p class="hint">Chọn tệp PDF đang giữ để biết tệp có đúng là văn bản đã ban hành, chưa bị sửa đổi.</p>
      <label class="filelabel" for="verify-file">Tệp PDF</label>
      <input id="verify-file" type="file" accept="application/pdf,.pdf" disabled={busy}
             onChange={(e) => void check((e.target as HTMLInputElement).files?.[0])} />
      {busy && <Loading text="Đang kiểm tra…" />}
      {error && <Notice kind="error">{error}</Notice>}
      {result && <ReportView report={result} />}
    </div>
  );
}
