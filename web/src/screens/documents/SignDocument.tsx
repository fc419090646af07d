/** The signer's page (#/van-ban/<document_id>, the link of the trình ký email): the draft as submitted, embedded,
 * and the two answers: "Ký ban hành" (then the number once the compile has issued it) or "Trả lại" with a note. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import { Dialog } from "../../components/Dialog";
import { Field, Heading, Loading, Notice } from "../../ui";
import type { components } from "../../api/schema";
import { OFFLINE, PDF, citation, download, fetchFile, kindName, stageBadge, stageOf, streamOf, useInlinePdf } from "./chain";
import "./documents.css";

type Request = components["schemas"]["SigningRequest"];
type Verification = components["schemas"]["Verification"];
type Answer = { kind: "approved" } | { kind: "issued"; number: string; issuedOn: string | null } | { kind: "returned"; note: string };

/** A document submitted to this person, from their signing requests (null: not waiting for them). */
async function requested(id: string): Promise<Request | null | string> {
  try {
    const { data, error, response } = await api.GET("/v1/signing-requests", {});
    if (!data) return describe(asProblem(error, response));
    return data.items.find((d) => d.id === id) ?? null;
  } catch {
    return OFFLINE;
  }
}

/** The issued version of the stream `doc` belongs to, once the compile has made it (null: not yet). */
async function issuedOf(doc: Request): Promise<{ number: string; issuedOn: string | null } | null> {
  const conferenceId = doc.conference_id;
  if (conferenceId) {
    try {
      const { data } = await api.GET("/v1/conferences/{conference_id}/documents", {
        params: { path: { conference_id: conferenceId }, query: { limit: 100 } } });
      const mine = (data?.items ?? []).filter((d) => streamOf(d) === streamOf(doc) && stageOf(d) === "issued" && d.number
        && d.version >= doc.version);
      const newest = mine.sort((a, b) => b.version - a.version)[0];
      if (newest) return { number: newest.number!, issuedOn: newest.issued_on };
      if (data) return null;
    } catch {
      /* read what the public verification says instead */
    }
  }
  try {
    // Not allowed to read the conference's documents (a unit head): the public record of the draft names the
    // version that followed it; numbered, it is the issued one.
    const verify = (id: string) => api.GET("/v1/documents/{document_id}/verify", { params: { path: { document_id: id } } });
    const { data } = await verify(doc.id);
    if (data?.number && data.stage === "issued") return { number: data.number, issuedOn: data.date ?? null };
    const newer = data?.superseded_by;
    if (!newer?.number) return null;
    const { data: issued } = await verify(newer.id);
    return issued?.number && issued.stage === "issued" ? { number: issued.number, issuedOn: issued.date ?? null } : null;
  } catch {
    return null;
  }
}

export default function SignDocument({ documentId }: { documentId: string }) {
  const [doc, setDoc] = useState<Request | null>(null);
  const [gone, setGone] = useState(false); // not (or no longer) waiting for this signer
  const [error, setError] = useState<string | null>(null);
  const [pdfUrl, setPdfUrl] = useState<string | null>(null);
  const [pdfError, setPdfError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [asking, setAsking] = useState<"approve" | "return" | null>(null);
  const [gaveUp, setGaveUp] = useState(false);
  const result = useRef<HTMLDivElement>(null);
  const inline = useInlinePdf();

  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    void requested(documentId).then((got) => {
      if (!live) return;
      if (typeof got === "string") {
        if (round === 0) setError(got);
        return;
      }
      setError(null);
      if (got === null) {
        if (round === 0) setGone(true); // read again later: an answer given here stays shown
        return;
      }
      // Submitted (again): what was answered before on this page is over.
      setGone(false);
      setAnswer((a) => (a?.kind === "returned" ? null : a));
      setDoc((d) => (d && d.id === got.id && d.submitted_at === got.submitted_at ? d : got));
    });
    return () => {
      live = false;
    };
  }, [documentId, round]);

  // A page left open (the email's link opened again later): read the request again when it is looked at.
  useEffect(() => {
    const again = () => document.visibilityState === "visible" && setRound((n) => n + 1);
    document.addEventListener("visibilitychange", again);
    return () => document.removeEventListener("visibilitychange", again);
  }, []);

  // The draft itself, in the page (CSP: frame-src blob:).
  useEffect(() => {
    if (!doc) return;
    let url: string | null = null;
    let live = true;
    void fetchFile(doc.id, PDF).then((got) => {
      if (!live) return;
      if (typeof got === "string") setPdfError(got);
      else setPdfUrl((url = URL.createObjectURL(got.blob)));
    });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [doc?.id]);

  // Signed: the compile issues it (number, date, signature) within a minute or two; look a few times.
  useEffect(() => {
    if (!doc || answer?.kind !== "approved") return;
    let live = true;
    let timer: number | undefined;
    let tries = 0;
    const tick = async () => {
      const issued = await issuedOf(doc);
      if (!live) return;
      if (issued) {
        setAnswer({ kind: "issued", ...issued });
        return;
      }
      if (++tries >= 30) {
        setGaveUp(true);
        return;
      }
      timer = window.setTimeout(tick, Math.min(2000 + tries * 1000, 10_000));
    };
    timer = window.setTimeout(tick, 2000);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [answer?.kind, doc?.id]);

  useEffect(() => {
    if (answer) result.current?.focus();
  }, [answer?.kind]);

  if (error) {
    return <section><Heading>Văn bản chờ ký</Heading><Notice kind="error">{error}</Notice></section>;
  }
  if (gone) return <NotWaiting documentId={documentId} />;
  if (!doc) return <Loading />;

  const kind = kindName(doc);
  const badge = stageBadge(doc);
  return (
    <section class="sign">
      <p class="crumbs"><a href="#/">← Trang chủ</a></p>
      <Heading>{kind}: {doc.title}</Heading>
      <dl class="doc-facts doc-facts--wide">
        {doc.issuer && <><dt>Cơ quan ban hành</dt><dd>{doc.issuer.name}</dd></>}
        <dt>Số</dt>
        <dd>{doc.number ? `${doc.number} (theo sổ văn bản đi, cấp khi ký ban hành)`
          : `Cấp khi ký ban hành: số kế tiếp trong sổ văn bản đi${doc.symbol ? ` (…/${doc.symbol})` : ""}`}</dd>
        <dt>Ngày ban hành</dt><dd>Ngày đồng chí ký ban hành</dd>
        {doc.replaces && <><dt>Thay thế</dt><dd>{kind} số {doc.replaces.number}</dd></>}
        <dt>Trạng thái</dt><dd><span class={`state state--${badge.css}`}>{answer ? "Đã trả lời" : badge.text}</span></dd>
      </dl>

      {answer && (
        <div ref={result} tabIndex={-1} class="sign__result">
          {answer.kind === "approved" && (
            <Notice kind="ok">
              <p><strong>Đã ký — văn bản đang được ban hành.</strong></p>
              <p>{gaveUp ? "Văn bản sẽ được đánh số, ký số và gửi đi trong lần tổng hợp kế tiếp; Văn phòng theo dõi việc này."
                : "Hệ thống đang đánh số, ký số và gửi văn bản; số văn bản hiện ở đây khi xong."}</p>
            </Notice>
          )}
          {answer.kind === "issued" && (
            <Notice kind="ok">
              <p><strong>Đã ban hành số {citation(answer.number, answer.issuedOn)}.</strong></p>
              <p>Văn bản đã được ký số và gửi tới nơi nhận.</p>
            </Notice>
          )}
          {answer.kind === "returned" && (
            <Notice kind="ok">
              <p><strong>Đã trả lại dự thảo cho Văn phòng.</strong></p>
              <p>Ghi chú của đồng chí: {answer.note}</p>
            </Notice>
          )}
          <p><a href="#/">Về trang chủ</a></p>
        </div>
      )}

      {!answer && (
        <>
          <p>Văn phòng trình ký dự thảo dưới đây. Đồng chí xem toàn văn, rồi ký ban hành hoặc trả lại kèm ghi chú những
            điểm cần sửa.</p>
          <div class="actions">
            <button type="button" class="button" onClick={() => setAsking("approve")}>Ký ban hành</button>
            <button type="button" class="button button--secondary" onClick={() => setAsking("return")}>Trả lại</button>
            <button type="button" class="button button--secondary" onClick={() => void download(doc.id, PDF).then(setPdfError)}>
              Tải dự thảo (PDF)
            </button>
          </div>
        </>
      )}

      <h2>Dự thảo</h2>
      {pdfError && <Notice kind="error">{pdfError}</Notice>}
      {!pdfUrl && !pdfError && <Loading text="Đang tải dự thảo…" />}
      {pdfUrl && inline && <iframe class="sign__pdf" src={pdfUrl} title={`Dự thảo ${kind.toLowerCase()}: ${doc.title ?? ""}`} />}
      {pdfUrl && !inline && (
        // A phone's browser shows no PDF inside a page: open it whole instead.
        <div class="sign__open">
          <p>Trên điện thoại, dự thảo mở ở trang riêng. Đọc xong, quay lại trang này để ký hoặc trả lại.</p>
          <a class="button" href={pdfUrl} target="_blank" rel="noopener">Mở dự thảo (PDF)</a>
        </div>
      )}

      <ApproveDialog doc={asking === "approve" ? doc : null} onClose={() => setAsking(null)}
                     onDone={() => {
                       setAsking(null);
                       setAnswer({ kind: "approved" });
                     }} />
      <ReturnDialog doc={asking === "return" ? doc : null} onClose={() => setAsking(null)}
                    onDone={(note) => {
                      setAsking(null);
                      setAnswer({ kind: "returned", note });
                    }} />
    </section>
  );
}

/** The link of an email answered already, or not meant for this account: what the public record says. */
function NotWaiting({ documentId }: { documentId: string }) {
  const [v, setV] = useState<Partial<Verification> | null>(null);
  useEffect(() => {
    api.GET("/v1/documents/{document_id}/verify", { params: { path: { document_id: documentId } } })
      .then(({ data }) => setV(data ?? {}), () => setV({}));
  }, [documentId]);
  return (
    <section>
      <p class="crumbs"><a href="#/">← Trang chủ</a></p>
      <Heading>Văn bản không còn chờ đồng chí ký</Heading>
      <p>Văn bản này không nằm trong danh sách chờ ký của tài khoản đang đăng nhập: đã được ký hoặc trả lại, đã có dự
        thảo mới, hoặc được trình cho người khác.</p>
      {v?.title && (
        <p><strong>{v.title}</strong>{v.number ? ` — số ${citation(v.number, v.date)}` : " — dự thảo"}</p>
      )}
      <p><a href="#/">Xem các văn bản đang chờ ký ở trang chủ</a></p>
    </section>
  );
}

function ApproveDialog({ doc, onClose, onDone }: { doc: Request | null; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setError(null), [doc?.id]);

  async function approve() {
    if (!doc) return;
    setBusy(true);
    setError(null);
    try {
      const { error: e, response } = await api.POST("/v1/documents/{document_id}/approve", {
        params: { path: { document_id: doc.id } } });
      if (response.ok) onDone();
      else setError(describe(asProblem(e, response)));
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }
  const kind = doc ? kindName(doc).toLowerCase() : "";
  return (
    <Dialog title={`Ký ban hành ${kind}`} open={doc !== null} onClose={onClose}>
      {doc && (
        <>
          <p>Đồng chí đồng ý ban hành {kind} “{doc.title}”?</p>
          <p>Văn bản sẽ được đánh số, ghi ngày ban hành là hôm nay, ký số bằng chứng thư của{" "}
            {doc.issuer?.name ?? "cơ quan ban hành"} và gửi tới nơi nhận. Văn bản đã ban hành không sửa được.</p>
          {error && <Notice kind="error">{error}</Notice>}
          <div class="actions">
            <button type="button" class="button" disabled={busy} onClick={() => void approve()}>Đồng ý, ký ban hành</button>
            <button type="button" class="button button--secondary" onClick={onClose}>Hủy</button>
          </div>
        </>
      )}
    </Dialog>
  );
}

function ReturnDialog({ doc, onClose, onDone }: { doc: Request | null; onClose: () => void; onDone: (note: string) => void }) {
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setNote("");
    setNoteError(null);
    setError(null);
  }, [doc?.id]);

  async function submit(e: Event) {
    e.preventDefault();
    if (!doc) return;
    const text = note.normalize("NFC").trim();
    if (!text) {
      setNoteError("Nhập ghi chú: Văn phòng cần biết phải sửa gì.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { error: err, response } = await api.POST("/v1/documents/{document_id}/return", {
        params: { path: { document_id: doc.id } }, body: { note: text } });
      if (response.ok) onDone(text);
      else setError(describe(asProblem(err, response)));
    } catch {
      setError(OFFLINE);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title="Trả lại dự thảo" open={doc !== null} onClose={onClose}>
      {doc && (
        <form onSubmit={submit} noValidate>
          <p>Dự thảo về lại Văn phòng kèm ghi chú; Văn phòng nhận thư báo, sửa rồi trình ký lại.</p>
          <Field id="ret-note" label="Ghi chú cho Văn phòng" error={noteError}
                 hint="Bắt buộc. Ví dụ: bổ sung kết quả của Công an tỉnh Nghệ An vào phần đánh giá chung.">
            {(db, inv) => (
              <textarea id="ret-note" rows={4} maxLength={2000} value={note} aria-describedby={db} aria-invalid={inv}
                        onInput={(ev) => {
                          setNote((ev.target as HTMLTextAreaElement).value);
                          setNoteError(null);
                        }} />
            )}
          </Field>
          {error && <Notice kind="error">{error}</Notice>}
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>Trả lại</button>
            <button type="button" class="button button--secondary" onClick={onClose}>Hủy</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
