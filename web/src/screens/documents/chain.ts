/** The document chain as the portal shows it: kinds and stages in Vietnamese, a document's files fetched with the
 * session (PDF or DOCX), its display name. Shared by the conference's documents tab, the signer's page, the homes'
 * "Văn bản chờ ký" and the public verification page. */
import { useEffect, useState } from "preact/hooks";
import { asProblem, authFetch, describe } from "../../api/client";
import type { components } from "../../api/schema";
import { date } from "../../lib/format";
import { dispositionName } from "../../lib/files";

export type Doc = components["schemas"]["Document"];

export const OFFLINE = "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";

/** The stored kind's family (before "@"): the document type of Decree 30, as a clerk names it. */
export const KIND: Record<string, string> = {
  summary: "Báo cáo",
  proposal: "Tờ trình",
  decision: "Quyết định",
  commendations: "Danh sách đề nghị khen thưởng", // documents made before the chain: still listed and readable
};
/** The order of the families on the documents tab: the report, then the proposal, then the decisions. */
const KIND_ORDER: Record<string, number> = { summary: 0, proposal: 1, decision: 2, commendations: 3 };

export function kindOf(d: { kind: string }): string {
  return d.kind.split("@")[0];
}

export function kindName(d: { kind: string }): string {
  return KIND[kindOf(d)] ?? d.kind;
}

export function streamOf(d: Doc): string {
  return d.stream ?? d.kind;
}

export function kindOrder(d: Doc): number {
  return KIND_ORDER[kindOf(d)] ?? 9;
}

export type Stage = "draft" | "submitted" | "approved" | "issued" | "replaced";

/** The stage of a document; documents from before the chain have none: numbered ones were issued. */
export function stageOf(d: Doc): Stage {
  const s = d.stage as Stage | null | undefined;
  if (s) return s;
  return d.number ? "issued" : "draft";
}

/** "12/QĐ-BCA ngày 05/9/2021": how an issued document is cited (the day without, the month without a leading 0
 * as in the documents' own "thay thế Quyết định số …" lines). */
export function citation(number: string, issuedOn: string | null | undefined): string {
  if (!issuedOn) return number;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(issuedOn);
  if (!m) return `${number} ngày ${date(issuedOn)}`;
  return `${number} ngày ${m[3]}/${Number(m[2])}/${m[1]}`;
}

/** The stage as a badge: its text and its colour class (styles.css .state--*). */
export function stageBadge(d: Doc): { text: string; css: string } {
  switch (stageOf(d)) {
    case "submitted":
      return { text: "Đã trình ký – chờ ký", css: "submitted" };
    case "approved":
      return { text: "Đã ký – đang ban hành", css: "queued" };
    case "issued":
      return { text: `Đã ban hành số ${citation(d.number ?? "", d.issued_on)}`, css: "accepted" };
    case "replaced":
      return { text: "Đã bị thay thế", css: "missing" };
    default:
      return { text: "Dự thảo", css: "draft" };
  }
}

/** "Quyết định số 12/QĐ-BCA", "Báo cáo dự thảo": a document's name for buttons and headings. */
export function docName(d: Doc): string {
  return d.number ? `${kindName(d)} số ${d.number}` : `${kindName(d)} dự thảo`;
}

export const PDF = "application/pdf";
export const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/** A document's file (GET /v1/documents/{id}/file with the session and the Accept header), or why not.
 *  A large file answers 303 to a short-lived address in the document store (S3): the fetch follows it
 *  (the bucket allows the portal's origin by CORS, and the page's CSP allows the bucket), the browser
 *  dropping the session's Authorization header on the way, so the same code gets small and large files. */
export async function fetchFile(id: string, type: string = PDF): Promise<{ blob: Blob; name: string } | string> {
  try {
    const response = await authFetch(`/v1/documents/${encodeURIComponent(id)}/file`, {
      headers: { Accept: type },
      redirect: "follow",
    });
    if (!response.ok) {
      if (response.status === 404 && type === DOCX) return "Văn bản này chưa có bản DOCX.";
      // A signer without the office's rights (a unit head) has the draft as the trình ký email's attachment.
      if (response.status === 403) return "Tài khoản này không tải được tệp văn bản từ hệ thống: dự thảo là tệp đính kèm của thư trình ký.";
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
      return describe(asProblem(body, response));
    }
    const blob = new Blob([await response.arrayBuffer()], { type });
    const ext = type === DOCX ? "docx" : "pdf";
    return { blob, name: dispositionName(response.headers.get("Content-Disposition")) ?? `van-ban-${id}.${ext}` };
  } catch {
    return OFFLINE;
  }
}

/** Save a fetched file under its name (a blob link clicked once, revoked a minute later). */
export function saveFile(got: { blob: Blob; name: string }): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(got.blob);
  link.download = got.name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** Fetch and save; the error text, or null when the download started. */
export async function download(id: string, type: string = PDF): Promise<string | null> {
  const got = await fetchFile(id, type);
  if (typeof got === "string") return got;
  saveFile(got);
  return null;
}

/** Whether this browser shows a PDF inside the page (a desktop's does; a phone's shows nothing there). */
export function useInlinePdf(): boolean {
  const narrow = () => window.matchMedia("(max-width: 700px)").matches;
  const [phone, setPhone] = useState(() => narrow() || navigator.pdfViewerEnabled === false);
  useEffect(() => {
    const query = window.matchMedia("(max-width: 700px)");
    const update = () => setPhone(query.matches || navigator.pdfViewerEnabled === false);
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return !phone;
}
