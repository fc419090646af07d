/** The office's dialogs on a document: trình ký (to whom, with which number from the register) and thay thế. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { Account, Problem } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { parseWhole } from "../../lib/format";
import { Field, Notice, ROLE_TEXT } from "../../ui";
import { OFFLINE, citation, kindName, type Doc } from "./chain";

/** Who may sign: active leaders, unit accounts (unit heads) and office staff, leaders first; read once per page. */
let signersRead: Promise<Account[]> | null = null;
const ROLE_ORDER: Record<string, number> = { leader: 0, unit: 1, admin: 2 };

async function readSigners(): Promise<Account[]> {
  const out: Account[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 20; n++) {
    const { data, error, response } = await api.GET("/v1/accounts", { params: { query: { limit: 100, cursor } } });
    if (!data) throw new Error(describe(asProblem(error, response)));
    out.push(...data.items.filter((a) => a.status === "active"));
    cursor = data.next ?? undefined;
    if (!cursor) break;
  }
  const collator = new Intl.Collator("vi");
  return out.sort((a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || collator.compare(a.name, b.name));
}

function useSigners(open: boolean): { signers: Account[] | null; error: string | null } {
  const [signers, setSigners] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    if (!signersRead) {
      signersRead = readSigners();
      signersRead.catch(() => (signersRead = null));
    }
    let live = true;
    setError(null);
    signersRead.then((s) => live && setSigners(s), (e: Error) => live && setError(e.message || OFFLINE));
    return () => {
      live = false;
    };
  }, [open]);
  return { signers, error };
}

/** The API's 409 for a number from the register already used: "Số 12/BC-BCA năm 2026 đã được dùng." */
const NUMBER_TAKEN = /^Số \d+/;

export function SubmitDialog({ doc, onClose, onDone, onStale }: {
  doc: Doc | null; onClose: () => void; onDone: (d: Doc) => void;
  /** 409: the document changed meanwhile (a new draft, or already submitted): the list is read again. */
  onStale: () => void;
}) {
  const { signers, error: signersError } = useSigners(doc !== null);
  const [signer, setSigner] = useState("");
  const [number, setNumber] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [local, setLocal] = useState<{ signer?: string; number?: string }>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // The signer asked last time for this document (returned, now submitted again) is the likely one.
    setSigner(doc?.submitted_to?.account_id ?? "");
    setNumber("");
    setProblem(null);
    setLocal({});
  }, [doc?.id]);

  async function submit(e: Event) {
    e.preventDefault();
    if (!doc) return;
    const n = parseWhole(number);
    const errs: { signer?: string; number?: string } = {};
    if (!signer) errs.signer = "Chọn người ký.";
    if (n === "invalid" || n === 0) errs.number = "Nhập số trong sổ văn bản đi (một số nguyên từ 1), hoặc để trống.";
    setLocal(errs);
    if (errs.signer || errs.number) return;
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/v1/documents/{document_id}/submit", {
        params: { path: { document_id: doc.id } },
        body: { signer_account_id: signer, number: n === "invalid" ? null : n } });
      if (data) {
        onDone(data);
        return;
      }
      const p = asProblem(error, response);
      if (response.status === 409 && !NUMBER_TAKEN.test(p.detail ?? "")) {
        // Submitted meanwhile, or a newer draft: the list is read again; the API's words name internal stages.
        setProblem({ ...p, detail: "Văn bản này vừa thay đổi (đã được trình ký, hoặc đã có bản dự thảo mới). "
          + "Danh sách văn bản đã được tải lại; hãy xem lại rồi trình ký bản mới nhất." });
        onStale();
      } else {
        setProblem(p);
      }
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  const errs = fieldErrors(problem);
  const numberTaken = problem?.status === 409 && NUMBER_TAKEN.test(problem.detail ?? "") ? describe(problem) : undefined;
  const signerErr = local.signer ?? errs.signer_account_id;
  const numberErr = local.number ?? errs.number ?? numberTaken;
  const other = problem && !errs.signer_account_id && !errs.number && !numberTaken ? describe(problem) : null;
  const title = doc ? `Trình ký ${kindName(doc).toLowerCase()}` : "";
  return (
    <Dialog title={title} open={doc !== null} onClose={onClose}>
      {doc && (
        <form onSubmit={submit} noValidate>
          <p><strong>{kindName(doc)}:</strong> {doc.title}</p>
          {doc.issuer && <p class="hint">Cơ quan ban hành: {doc.issuer.name}</p>}
          <p>Người ký nhận một thư kèm dự thảo (PDF) và đường dẫn để ký ban hành hoặc trả lại kèm ghi chú.
            Văn bản được đánh số và ký số khi người ký đồng ý.</p>
          {signersError && <Notice kind="error">{signersError}</Notice>}
          <Field id="sub-signer" label="Người ký" error={signerErr}
                 hint="Tài khoản của người ký: lãnh đạo, thủ trưởng đơn vị hoặc cán bộ văn phòng.">
            {(db, inv) => (
              <select id="sub-signer" value={signer} aria-describedby={db} aria-invalid={inv} disabled={!signers}
                      onChange={(e) => {
                        setSigner((e.target as HTMLSelectElement).value);
                        setLocal((l) => ({ ...l, signer: undefined }));
                      }}>
                <option value="">{signers ? "— Chọn người ký —" : "Đang tải danh sách…"}</option>
                {(signers ?? []).map((a) => (
                  <option key={a.id} value={a.id}>{a.name} ({ROLE_TEXT[a.role] ?? a.role}) — {a.email}</option>
                ))}
              </select>
            )}
          </Field>
          <Field id="sub-number" label="Số trong sổ văn bản đi (để trống: số kế tiếp)" error={numberErr}
                 hint="Ghi số đã lấy trong sổ văn bản đi của Văn phòng nếu có; số không được trùng với văn bản khác cùng năm.">
            {(db, inv) => (
              <input id="sub-number" inputMode="numeric" autoComplete="off" value={number} class="input--short"
                     aria-describedby={db} aria-invalid={inv}
                     onInput={(e) => {
                       setNumber((e.target as HTMLInputElement).value);
                       setLocal((l) => ({ ...l, number: undefined }));
                       setProblem(null);
                     }} />
            )}
          </Field>
          {other && <Notice kind="error">{other}</Notice>}
          <div class="actions">
            <button type="submit" class="button" disabled={busy || !signers}>Gửi trình ký</button>
            <button type="button" class="button button--secondary" onClick={onClose}>Hủy</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function ReplaceDialog({ doc, onClose, onDone, onStale }: {
  doc: Doc | null; onClose: () => void; onDone: (d: Doc) => void; onStale: () => void;
}) {
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setReason("");
    setReasonError(null);
    setError(null);
  }, [doc?.id]);

  async function submit(e: Event) {
    e.preventDefault();
    if (!doc) return;
    if (!reason.trim()) {
      setReasonError("Nhập lý do thay thế.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { data, error: err, response } = await api.POST("/v1/documents/{document_id}/replace", {
        params: { path: { document_id: doc.id } }, body: { reason: reason.trim() } });
      if (response.ok) {
        onDone(data ? { ...data, number: doc.number } : doc);
        return;
      }
      setError(describe(asProblem(err, response)));
      if (response.status === 409) onStale();
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }

  const kind = doc ? kindName(doc) : "";
  return (
    <Dialog title={doc ? `Thay thế ${kind.toLowerCase()} số ${doc.number ?? ""}` : ""} open={doc !== null} onClose={onClose}>
      {doc && (
        <form onSubmit={submit} noValidate>
          <p>{kind} số {citation(doc.number ?? "", doc.issued_on)} đã ban hành không sửa được. Thay thế tạo một dự thảo
            mới ghi “thay thế {kind} số {citation(doc.number ?? "", doc.issued_on)}”; dự thảo mới cũng phải trình ký rồi
            mới ban hành. Khi văn bản mới ban hành, văn bản cũ được ghi là đã bị thay thế.</p>
          <Field id="rep-reason" label="Lý do thay thế" error={reasonError} hint="Ví dụ: sai tên một cá nhân trong danh sách.">
            {(db, inv) => (
              <textarea id="rep-reason" rows={3} maxLength={2000} value={reason} aria-describedby={db} aria-invalid={inv}
                        onInput={(e) => {
                          setReason((e.target as HTMLTextAreaElement).value);
                          setReasonError(null);
                        }} />
            )}
          </Field>
          {error && <Notice kind="error">{error}</Notice>}
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>Tạo dự thảo thay thế</button>
            <button type="button" class="button button--secondary" onClick={onClose}>Hủy</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
