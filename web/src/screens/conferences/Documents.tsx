/** A conference's compile ("Tổng hợp văn bản"), its document versions ("Văn bản": preview in the page, download)
 * and the deliveries made ("Đã gửi"). */
import { MoreButton } from "../../components/MoreButton";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, authFetch, describe } from "../../api/client";
import type { components } from "../../api/schema";
import { usePages } from "../../components/pages";
import { date, dateTime, num } from "../../lib/format";
import { Loading, Notice } from "../../ui";
import { splitRecipient } from "./ConferenceForm";

type Doc = components["schemas"]["Document"];
type Delivery = components["schemas"]["Delivery"];

const KIND: Record<string, string> = { summary: "Báo cáo tổng hợp", commendations: "Danh sách đề nghị khen thưởng" };
const KIND_ORDER: Record<string, number> = { summary: 0, commendations: 1 };
const SENT: Record<string, { text: string; css: string }> = {
  sent: { text: "Đã gửi", css: "accepted" },
  sending: { text: "Đang gửi", css: "submitted" },
  failed: { text: "Gửi lỗi, sẽ gửi lại", css: "returned" },
};

export function docName(d: { kind: string; number?: string | null; version: number }): string {
  const kind = KIND[d.kind] ?? d.kind;
  return d.number ? `${kind} số ${d.number}` : `${kind} dự thảo (phiên bản ${d.version})`;
}

/** The file name of a Content-Disposition header (its UTF-8 filename* first). */
export function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (utf8) {
    try {
      return decodeURIComponent(utf8[1]);
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename="([^"]+)"/i.exec(header);
  return plain ? plain[1] : null;
}

async function pdf(doc: Doc): Promise<{ blob: Blob; name: string } | string> {
  try {
    const response = await authFetch(`/v1/documents/${encodeURIComponent(doc.id)}/file`, { headers: { Accept: "application/pdf" } });
    if (!response.ok) {
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
      return describe(asProblem(body, response));
    }
    const blob = new Blob([await response.arrayBuffer()], { type: "application/pdf" });
    return { blob, name: dispositionName(response.headers.get("Content-Disposition")) ?? `van-ban-${doc.id}.pdf` };
  } catch {
    return "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";
  }
}

type Message = { kind: "info" | "ok" | "warn" | "error"; text: string };

export function Documents({ conferenceId }: { conferenceId: string }) {
  const path = { conference_id: conferenceId };
  const docs = usePages(
    (cursor) => api.GET("/v1/conferences/{conference_id}/documents", { params: { path, query: { limit: 50, cursor } } }),
    (body) => ({ items: body.items, next: body.next ?? null }), [conferenceId]);
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
  const previewHeading = useRef<HTMLHeadingElement>(null);

  // Watch the compile request until its run has stored and mailed the documents (the request is cleared then).
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
          docs.reload();
          sent.reload();
          setMessage({ kind: "ok", text: "Đã tổng hợp xong: văn bản và các lần gửi ở dưới." });
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
      setMessage({ kind: "error", text: "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại." });
    } finally {
      setBusy(false);
    }
  }

  async function openPreview(doc: Doc) {
    setFileError(null);
    const got = await pdf(doc);
    if (typeof got === "string") {
      setFileError(got);
      return;
    }
    setPreview({ doc, url: URL.createObjectURL(got.blob) });
    window.setTimeout(() => previewHeading.current?.focus(), 0);
  }

  async function download(doc: Doc) {
    setFileError(null);
    const got = await pdf(doc);
    if (typeof got === "string") {
      setFileError(got);
      return;
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(got.blob);
    link.download = got.name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  const ordered = [...(docs.items ?? [])].sort((a, b) =>
    (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || b.version - a.version);

  return (
    <>
      <section class="card" aria-labelledby="c-docs-title">
        <h2 id="c-docs-title">Văn bản</h2>
        <p class="hint">Báo cáo tổng hợp (và danh sách đề nghị khen thưởng khi đã có đề nghị) được gửi tới người nhận văn bản;
          mỗi lần số liệu thay đổi, tổng hợp lại tạo phiên bản mới với số mới.</p>
        <div class="actions">
          <button type="button" class="button" disabled={busy || !!pending} onClick={() => void compile()}>Tổng hợp văn bản</button>
        </div>
        {pending && (
          <p class="notice notice--info" role="status">
            Đang tổng hợp văn bản theo yêu cầu lúc {dateTime(pending)}. Trang tự cập nhật khi văn bản đã lưu và gửi xong.
          </p>
        )}
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
        {fileError && <Notice kind="error">{fileError}</Notice>}
        {docs.error && <Notice kind="error">{docs.error}</Notice>}
        {!docs.items && !docs.error && <Loading />}
        {docs.items && docs.items.length === 0 && <p>Chưa có văn bản nào. Bấm “Tổng hợp văn bản” để tạo.</p>}
        {ordered.length > 0 && (
          <table class="rows documents">
            <caption class="sr-only">Các phiên bản văn bản</caption>
            <thead>
              <tr>
                <th scope="col">Văn bản</th><th scope="col">Số</th><th scope="col">Phiên bản</th>
                <th scope="col">Ngày ban hành</th><th scope="col">Dung lượng</th><th scope="col"><span class="sr-only">Thao tác</span></th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((d) => (
                <tr key={d.id}>
                  <th scope="row" data-label="Văn bản">{KIND[d.kind] ?? d.kind}
                    {d.title && <span class="note">{d.title}</span>}</th>
                  <td data-label="Số" class="docnum">{d.number ?? "Dự thảo"}</td>
                  <td data-label="Phiên bản">{d.version}</td>
                  <td data-label="Ngày ban hành">{date(d.issued_on)}</td>
                  <td data-label="Dung lượng">{d.size != null ? `${num(Math.max(1, Math.round(d.size / 1000)))} KB` : "—"}</td>
                  <td class="row-actions">
                    <button type="button" class="button button--small button--secondary" onClick={() => void openPreview(d)}>
                      Xem trước<span class="sr-only"> {docName(d)}</span>
                    </button>
                    <button type="button" class="button button--small button--secondary" onClick={() => void download(d)}>
                      Tải về<span class="sr-only"> {docName(d)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <MoreButton list={docs} />
        {preview && (
          <div class="preview" aria-labelledby="c-preview-title" role="region">
            <h3 id="c-preview-title" tabIndex={-1} ref={previewHeading}>Xem trước: {docName(preview.doc)}</h3>
            <iframe src={preview.url} title={`Nội dung ${docName(preview.doc)}`} />
            <div class="actions">
              <button type="button" class="button button--secondary" onClick={() => void download(preview.doc)}>
                Tải về<span class="sr-only"> {docName(preview.doc)}</span>
              </button>
              <button type="button" class="button button--secondary" onClick={() => setPreview(null)}>Đóng xem trước</button>
            </div>
          </div>
        )}
      </section>

      <section class="card" aria-labelledby="c-sent-title">
        <h2 id="c-sent-title">Đã gửi</h2>
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
                    <td data-label="Văn bản">{docName(s)}</td>
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
