/** What the units, accounts and tokens screens share: the unit kinds' names, the email rule, problems. */
import type { Problem } from "../../api/types";

export type UnitKind = "ministry" | "province" | "department" | "hospital" | "other";

export const KIND_TEXT: Record<UnitKind, string> = {
  ministry: "Bộ",
  province: "Công an tỉnh, thành phố",
  department: "Cục, đơn vị trực thuộc Bộ",
  hospital: "Bệnh viện",
  other: "Đơn vị khác",
};
export const KINDS = Object.keys(KIND_TEXT) as UnitKind[];

/** The API's own rule for an email (chalicelib/units/models.py), checked before sending. */
export const EMAIL_RE = /^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$/;
/** The API's rule for a unit's code. */
export const UNIT_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** One address a line (or separated by commas/semicolons), blanks dropped. */
export function emailLines(text: string): string[] {
  return text.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
}

/** Lowercase without diacritics, so "nghe an" finds "Nghệ An". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
}

/** A code suggested from a Vietnamese name: "Công an tỉnh Nghệ An" -> "cong-an-tinh-nghe-an". */
export function suggestId(name: string): string {
  return fold(name).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
}

/** Field errors keyed for the form: "emails.2" becomes one message on "emails" naming the line. */
export function formErrors(problem: Problem | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem?.errors ?? []) {
    const [field, index] = e.field.split(".");
    const text = field === "emails" && index !== undefined ? `Dòng ${Number(index) + 1}: ${e.message}` : e.message;
    out[field] = out[field] ? `${out[field]} ${text}` : text;
  }
  return out;
}

export const OFFLINE = "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.";
