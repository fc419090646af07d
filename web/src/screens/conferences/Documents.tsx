/** A conference's compile ("Tổng hợp văn bản"), its documents one card per document (stream: the báo cáo, the tờ
 * trình, each quyết định) with its stage, files and the step the office takes next (trình ký, thay thế), and the
 * deliveries made ("Đã gửi"). */
import { MoreButton } from "../../components/MoreButton";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import type { components } from "../../api/schema";
import { usePages } from "../../components/pages";
import { dateTime } from "../../lib/format";
import { href } from "../../lib/router";
import { Loading, Notice } from "../../ui";
import {
  DOCX, OFFLINE, PDF, citation, docName, download, fetchFile, kindName, kindOf, kindOrder, stageBadge, stageOf,
  streamOf, useInlinePdf, type Doc,
} from "../documents/chain";
import { ReplaceDialog, SubmitDialog } from "../documents/dialogs";
import { splitRecipient } from "./ConferenceForm";
import "../documents/documents.css";

type Delivery = components["schemas"]["Delivery"];

const SENT: Record<string, { text: string; css: string }> = {
  sent: { text: "Đã gửi", css: "accepted" },
  sending: { text: "Đang gửi", css: "submitted" },
  failed: { text: "Gửi lỗi, sẽ gửi lại", css: "returned" },
};

/** A delivered document as the deliveries table names it. */
function sentName(d: { kind: string; number?: string | null }): string {
  return d.number ? `${kindName(d)} số ${d.number}` : `${kindName(d)} dự thảo`;
}

/** One document (stream): its newest version, and the versions before it (newest first). */
export interface Stream { key: string; current: Doc; older: Doc[] }

/** The documents grouped by stream, the báo cáo first, then the tờ trình, then the quyết định by title. */
export function streams(docs: Doc[]): Stream[] {
  const by = new Map<string, Doc[]>();
  for (const d of docs) {
    const key = streamOf(d);
    by.set(key, [...(by.get(key) ?? []), d]);
  }
  const out: Stream[] = [];
  for (const [key, list] of by) {
    list.sort((a, b) => b.version - a.version);
    const current = list.find((d) => d.current) ?? list[0];
    out.push({ key, current, older: list.filter((d) => d !== current) });
  }
  const collator = new Intl.Collator("vi");
  return out.sort((a, b) => kindOrder(a.current) - kindOrder(b.current)
    || collator.compare(a.current.title ?? "", b.current.title ?? ""));
}

/** Every document version of the conference (a few pages at most). */
async function readAll(conferenceId: string): Promise<Doc[] | string> {
  const out: Doc[] = [];
  let cursor: string | undefined;
  try {
    for (let n = 0; n < 20; n++) {
      const { data, error, response } = await api.GET("/v1/conferences/{conference_id}/documents", {
        params: { path: { conference_id: conferenceId }, query: { limit: 100, cursor } } });
      if (!data) return describe(asProblem(error, response));
      out.push(...data.items);
      cursor = data.next ?? undefined;
      if (!cursor) break;
    }
  } catch {
    return OFFLINE;
  }
  return out;
}

type Message = { kind: "info" | "ok" | "warn" | "error"; text: string };

export function Documents({ conferenceId, onDocuments }: {
  conferenceId: string;
  /** Told the documents each time they are read (the assessment editor needs the báo cáo's stage). */
  onDocuments?: (docs: Doc[]) => void;
}) {
  const path = { conference_id: conferenceId };
  const [docs, setDocs] = useState<Doc[] | null>(null);
  const [docsError, setDocsError] = useState<string | null>(null);
  const sent = usePages(
    (cursor) => api.GET("/v1/conferences/{conference_id}/deliveries", { params: { path, query: { limit: 20, cursor } } }),
    (body) => ({ items: body.items, next: body.next ?? null }), [conferenceId]);
  const [pending, setPending] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const expecting = useRef(false); // a compile was asked for here: reload when its request is cleared
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ doc: Doc; url: string } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState<Doc | null>(null);
  const [replacing, setReplacing] = useState<Doc | null>(null);
  const previewHeading = useRef<HTMLHeadingElement>(null);
  const inline = useInlinePdf();

  const seen = useRef(""); // the stages last shown: a message about an earlier step goes once they change

  async function loadDocs(polled = false): Promise<Doc[] | null> {
    const got = await readAll(conferenceId);
    if (typeof got === "string") {
      setDocsError(got);
      return null;
    }
    const stages = got.filter((d) => d.current).map((d) => `${d.id}:${stageOf(d)}`).sort().join(" ");
    if (polled && seen.current && stages !== seen.current) {
      // The signer answered, or the compile issued a document: older messages go; the compile (started by the
      // signer's approval) is watched, and what was sent is read again (now and once its mail has gone).
      setMessage(null);
      setRound((n) => n + 1);
      sent.reload();
      window.setTimeout(() => sent.reload(), 5000);
    }
    seen.current = stages;
    setDocsError(null);
    setDocs(got);
    onDocuments?.(got);
    return got;
  }
  useEffect(() => void loadDocs(), [conferenceId]);

  // Watch the compile request until its run has stored the documents (the request is cleared then).
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    let wait = 1500;
    const tick = async () => {
      try {
        const { data } = await api.GET("/v1/conferences/{conference_id}/deliveries", { params: { path, query: { limit: 1 } } });
        if (!live || !data) return;
        setPending(data.compile_requested_at ?? null);
        if (data.compile_requested_at) {
          expecting.current = true;
          timer = window.setTimeout(tick, wait);
          wait = Math.min(wait * 1.3, 10_000);
        } else if (expecting.current) {
          expecting.current = false;
          void loadDocs();
          sent.reload();
          setMessage({ kind: "ok", text: "Đã tổng hợp xong: các văn bản ở dưới." });
        }
      } catch {
        if (live) timer = window.setTimeout(tick, 10_000);
      }
    };
    void tick();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [conferenceId, round]);

  // While a document waits for its signer or is being issued, read the list again now and then: the office sees
  // the signer's answer (signed, or returned with a note) without reloading the page.
  const waiting = (docs ?? []).some((d) => d.current !== false && ["submitted", "approved"].includes(stageOf(d)));
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible" && !pending) void loadDocs(true);
    }, 8000);
    return () => window.clearInterval(timer);
  }, [waiting, pending, conferenceId]);

  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview.url);
  }, [preview]);

  async function compile() {
    setBusy(true);
    setMessage(null);
    try {
      const { data, error, response } = await api.POST("/v1/conferences/{conference_id}/compile", { params: { path } });
      if (!data) {
        setMessage({ kind: "error", text: describe(asProblem(error, response)) });
        return;
      }
      expecting.current = true;
      setPending(data.requested_at);
      // "started": the status line below says it all; "queued": say when it will run.
      if (data.status !== "started") {
        setMessage({ kind: "info", text: "Văn bản sẽ được tổng hợp trong lần chạy định kỳ kế tiếp (tối đa 5 phút)." });
      }
      setRound((n) => n + 1);
    } catch {
      setMessage({ kind: "error", text: OFFLINE });
    } finally {
      setBusy(false);
    }
  }

  async function openPreview(doc: Doc) {
    setFileError(null);
    const got = await fetchFile(doc.id, PDF);
    if (typeof got === "string") {
      setFileError(got);
      return;
    }
    setPreview({ doc, url: URL.createObjectURL(got.blob) });
    window.setTimeout(() => previewHeading.current?.focus(), 0);
  }

  async function save(doc: Doc, type: string) {
    setFileError(null);
    setFileError(await download(doc.id, type));
  }

  const grouped = streams(docs ?? []);

  return (
    <>
      <section class="card" aria-labelledby="c-docs-title">
        <h2 id="c-docs-title">Văn bản</h2>
        <p class="hint">Tổng hợp tạo dự thảo (chưa có số) của báo cáo, tờ trình và các quyết định khen thưởng. Văn phòng
          xem dự thảo rồi trình ký; khi người ký đồng ý, văn bản được đánh số, ký số, ban hành và gửi đi.</p>
        <div class="actions">
          <button type="button" class="button" disabled={busy || !!pending} onClick={() => void compile()}>Tổng hợp văn bản</button>
        </div>
        {pending && (
          <p class="notice notice--info" role="status">
            Đang tổng hợp văn bản theo yêu cầu lúc {dateTime(pending)}. Trang tự cập nhật khi văn bản đã lưu xong.
          </p>
        )}
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
        {fileError && <Notice kind="error">{fileError}</Notice>}
        {docsError && <Notice kind="error">{docsError}</Notice>}
        {!docs && !docsError && <Loading />}
        {docs && docs.length === 0 && <p>Chưa có văn bản nào. Bấm “Tổng hợp văn bản” để tạo.</p>}
        {grouped.length > 0 && (
          <ul class="doc-streams">
            {grouped.map((s) => (
              <StreamCard key={s.key} stream={s} onPreview={(d) => void openPreview(d)} onSave={(d, t) => void save(d, t)}
                          onSubmit={setSubmitting} onReplace={setReplacing} />
            ))}
          </ul>
        )}
        {preview && (
          <div class="preview" aria-labelledby="c-preview-title" role="region">
            <h3 id="c-preview-title" tabIndex={-1} ref={previewHeading}>Xem trước: {docName(preview.doc)}</h3>
            {inline ? <iframe src={preview.url} title={`Nội dung ${docName(preview.doc)}`} /> : (
              // A phone's browser shows no PDF inside a page: open it whole instead.
              <p><a class="button" href={preview.url} target="_blank" rel="noopener">Mở {docName(preview.doc)} (PDF)</a></p>
            )}
            <div class="actions">
              <button type="button" class="button button--secondary" onClick={() => void save(preview.doc, PDF)}>
                Tải PDF<span class="sr-only"> {docName(preview.doc)}</span>
              </button>
              <button type="button" class="button button--secondary" onClick={() => setPreview(null)}>Đóng xem trước</button>
            </div>
          </div>
        )}
      </section>

      <SubmitDialog doc={submitting} onClose={() => setSubmitting(null)} onDone={(d) => {
        setSubmitting(null);
        setMessage({ kind: "ok", text: `Đã trình ký ${kindName(d).toLowerCase()} “${d.title ?? ""}”: người ký nhận thư `
          + "kèm dự thảo và đường dẫn để ký hoặc trả lại." });
        void loadDocs();
      }} onStale={() => void loadDocs()} />
      <ReplaceDialog doc={replacing} onClose={() => setReplacing(null)} onDone={(d) => {
        setReplacing(null);
        setMessage({ kind: "ok", text: `Đã mở lại ${kindName(d).toLowerCase()} số ${d.number ?? ""} để thay thế: `
          + "dự thảo mới đang được tổng hợp." });
        expecting.current = true;
        void loadDocs();
        setRound((n) => n + 1);
      }} onStale={() => void loadDocs()} />

      <section class="card" aria-labelledby="c-sent-title">
        <h2 id="c-sent-title">Đã gửi</h2>
        <p class="hint">Văn bản chỉ được gửi sau khi ban hành; dự thảo không gửi cho ai.</p>
        {sent.error && <Notice kind="error">{sent.error}</Notice>}
        {!sent.items && !sent.error && <Loading />}
        {sent.items && sent.items.length === 0 && <p>Chưa gửi văn bản nào.</p>}
        {sent.items && sent.items.length > 0 && (
          <table class="rows deliveries">
            <caption class="sr-only">Các lần gửi văn bản</caption>
            <thead>
              <tr><th scope="col">Người nhận</th><th scope="col">Văn bản</th><th scope="col">Trạng thái</th><th scope="col">Thời điểm gửi</th></tr>
            </thead>
            <tbody>
              {sent.items.map((s: Delivery) => {
                const state = SENT[s.state] ?? { text: s.state, css: "missing" };
                return (
                  <tr key={`${s.document_id}-${s.email}`}>
                    <th scope="row" data-label="Người nhận">{splitRecipient(s.recipient).name || s.email}
                      {splitRecipient(s.recipient).name && <span class="note">{s.email}</span>}</th>
                    <td data-label="Văn bản">{sentName(s)}</td>
                    <td data-label="Trạng thái"><span class={`state state--${state.css}`}>{state.text}</span>
                      {s.attempts > 1 && <span class="note">{s.attempts} lần thử</span>}</td>
                    <td data-label="Thời điểm gửi">{dateTime(s.sent_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <MoreButton list={sent} />
      </section>
    </>
  );
}

function StreamCard({ stream, onPreview, onSave, onSubmit, onReplace }: {
  stream: Stream; onPreview: (d: Doc) => void; onSave: (d: Doc, type: string) => void;
  onSubmit: (d: Doc) => void; onReplace: (d: Doc) => void;
}) {
  const d = stream.current;
  const stage = stageOf(d);
  const badge = stageBadge(d);
  const name = docName(d);
  const titleId = `doc-${d.id}`;
  return (
    <li class="doc-stream" aria-labelledby={titleId}>
      <h3 id={titleId} class="doc-stream__title">
        <span class="doc-kind">{kindName(d)}</span> {d.title ?? ""}
      </h3>
      <p class="doc-stream__state">
        <span class={`state state--${badge.css}`}>{badge.text}</span>
      </p>
      <dl class="doc-facts">
        {d.issuer && <><dt>Cơ quan ban hành</dt><dd>{d.issuer.name}</dd></>}
        {stage === "submitted" && d.submitted_to && <><dt>Người ký</dt><dd>{d.submitted_to.name}</dd></>}
        {d.replaces && <><dt>Thay thế</dt><dd>{kindName(d)} số {d.replaces.number}</dd></>}
        {d.replaced_by && <><dt>Được thay thế bằng</dt><dd>{d.replaced_by.number
          ? `${kindName(d)} số ${d.replaced_by.number}` : "dự thảo mới (chưa ban hành)"}</dd></>}
      </dl>
      {stage === "draft" && d.return_note && (
        <div class="notice notice--warn doc-return">
          <p><strong>Người ký trả lại, ghi chú:</strong></p>
          <p class="doc-return__note">{d.return_note}</p>
        </div>
      )}
      {stage === "submitted" && <p class="hint">Đang chờ người ký xem và ký; trang tự cập nhật khi có trả lời.</p>}
      {stage === "approved" && <p class="hint">Người ký đã đồng ý: văn bản đang được đánh số, ký số và ban hành.</p>}
      <div class="actions doc-actions">
        {stage === "draft" && kindOf(d) !== "commendations" && (
          <button type="button" class="button" onClick={() => onSubmit(d)}>
            Trình ký<span class="sr-only"> {kindName(d)} {d.title ?? ""}</span>
          </button>
        )}
        <button type="button" class="button button--secondary" onClick={() => onPreview(d)}>
          Xem trước<span class="sr-only"> {name}</span>
        </button>
        <button type="button" class="button button--secondary" onClick={() => onSave(d, PDF)}>
          Tải PDF<span class="sr-only"> {name}</span>
        </button>
        {d.docx_url && (
          <button type="button" class="button button--secondary" onClick={() => onSave(d, DOCX)}>
            Tải DOCX<span class="sr-only"> {name}</span>
          </button>
        )}
        {(stage === "issued" || stage === "replaced") && (
          <a class="button button--secondary" href={href("xac-thuc", d.id)}>
            Xác thực<span class="sr-only"> {name}</span>
          </a>
        )}
        {stage === "issued" && !d.replaced_by && kindOf(d) !== "commendations" && (
          <button type="button" class="button button--secondary" onClick={() => onReplace(d)}>
            Thay thế<span class="sr-only"> {name}</span>
          </button>
        )}
      </div>
      {stream.older.length > 0 && (
        <details class="doc-older">
          <summary>Các phiên bản trước ({stream.older.length})</summary>
          <ul>
            {stream.older.map((o) => (
              <li key={o.id}>
                <span>{o.number ? `Số ${citation(o.number, o.issued_on)}` : `Dự thảo lần ${o.version}`}</span>
                {" — "}<span class={`state state--${stageBadge(o).css}`}>{stageOf(o) === "issued"
                  ? "Đã ban hành" : stageBadge(o).text}</span>
                {o.return_note && <span class="note">Ghi chú trả lại: {o.return_note}</span>}
                <button type="button" class="linklike" onClick={() => onSave(o, PDF)}>
                  Tải PDF<span class="sr-only"> {docName(o)} lần {o.version}</span>
                </button>
                {(stageOf(o) === "issued" || stageOf(o) === "replaced") && (
                  <a class="doc-older__verify" href={href("xac-thuc", o.id)}>
                    Xác thực<span class="sr-only"> {docName(o)}</span>
                  </a>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
