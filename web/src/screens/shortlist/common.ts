/** Types and Vietnamese texts the shortlist screen's parts share. */
import type { components } from "../../api/schema";

type S = components["schemas"];
export type Row = S["ShortlistRow"];
export type QuotaLine = S["QuotaLine"];
export type Nomination = S["Nomination"];
export type Detail = S["NominationDetail"];
export type AwardForm = S["AwardForm"];
export type Criterion = S["Criterion"];
export type Decision = "approve" | "reject" | "hold";

/** A nomination's state as the office reads it (the same words the units' own screen uses). */
export const STATUS_TEXT: Record<string, string> = {
  pending: "Đang chờ xét", approved: "Được chấp thuận", rejected: "Không được chấp thuận", held: "Tạm hoãn",
};

export const DECISION_TEXT: Record<Decision, { button: string; bulk: string; confirm: string; title: string; done: string }> = {
  approve: { button: "Đồng ý", bulk: "Đồng ý các đề nghị đã chọn", confirm: "Xác nhận đồng ý",
    title: "Đồng ý đề nghị", done: "Đã đồng ý" },
  reject: { button: "Không đồng ý", bulk: "Không đồng ý các đề nghị đã chọn", confirm: "Xác nhận không đồng ý",
    title: "Không đồng ý đề nghị", done: "Đã không đồng ý" },
  hold: { button: "Tạm hoãn", bulk: "Tạm hoãn các đề nghị đã chọn", confirm: "Xác nhận tạm hoãn",
    title: "Tạm hoãn đề nghị", done: "Đã tạm hoãn" },
};

/** The audit trail's actions in Vietnamese (chalicelib/awards/nominations.py writes them). */
export const AUDIT_TEXT: Record<string, string> = {
  nominated: "Gửi đề nghị", edited: "Sửa đề nghị", scored: "Chấm điểm", approve: "Đồng ý",
  reject: "Không đồng ý", hold: "Tạm hoãn",
};

export const KIND_TEXT: Record<string, string> = { individual: "Cá nhân", collective: "Tập thể" };

/** One decimal, Vietnamese comma: 72,5. */
const scoreFmt = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
export function score(value: number | null | undefined): string {
  return value == null ? "—" : scoreFmt.format(value);
}

/** How a form stands against its quota, in words: the finalise dialog and the quota lines say it. */
export function quotaState(q: QuotaLine): { text: string; over: boolean } {
  if (q.quota == null) return { text: "không giới hạn chỉ tiêu", over: false };
  if (q.approved > q.quota) return { text: `vượt chỉ tiêu ${q.approved - q.quota}`, over: true };
  if (q.approved < q.quota) return { text: `còn ${q.quota - q.approved} chỉ tiêu chưa dùng`, over: false };
  return { text: "vừa đủ chỉ tiêu", over: false };
}

/** "Đã đồng ý 2/3 chỉ tiêu · 5 đề nghị". */
export function quotaLine(q: QuotaLine): string {
  const approved = q.quota == null ? `Đã đồng ý ${q.approved} (không giới hạn chỉ tiêu)` : `Đã đồng ý ${q.approved}/${q.quota} chỉ tiêu`;
  return `${approved} · ${q.nominated} đề nghị`;
}
