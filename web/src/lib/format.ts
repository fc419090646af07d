/** Vietnamese formats: 15.000 for numbers, dd/mm/yyyy for dates (Intl "vi-VN", Asia/Ho_Chi_Minh). */
const TZ = "Asia/Ho_Chi_Minh";
const numberFmt = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 0 });
const dateFmt = new Intl.DateTimeFormat("vi-VN", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: TZ });
const dateTimeFmt = new Intl.DateTimeFormat("vi-VN", {
  day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TZ,
});

export function num(value: number | null | undefined): string {
  return value == null ? "—" : numberFmt.format(value);
}

/** "05/08/2021" for an ISO date or date-time (a bare date is that day in Hà Nội). */
export function date(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00+07:00`) : new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
}

/** "25/08/2021 17:00" (Hà Nội time): the date first, as deadlines are written in official letters. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const part = Object.fromEntries(dateTimeFmt.formatToParts(d).map((p) => [p.type, p.value]));
  return `${part.day}/${part.month}/${part.year} ${part.hour}:${part.minute}`;
}

/** "Tháng 08/2021", "Tuần 31/2021", "Quý 3/2021". */
export function periodLabel(code: string): string {
  let m = /^(\d{4})-(\d{2})$/.exec(code);
  if (m) return `Tháng ${m[2]}/${m[1]}`;
  m = /^(\d{4})-W(\d{2})$/.exec(code);
  if (m) return `Tuần ${m[2]}/${m[1]}`;
  m = /^(\d{4})-Q(\d)$/.exec(code);
  if (m) return `Quý ${m[2]}/${m[1]}`;
  return code;
}

/** "còn 3 ngày 4 giờ", "còn 45 phút", "đã quá hạn 2 ngày". */
export function countdown(deadlineIso: string, now: number = Date.now()): { text: string; overdue: boolean; soon: boolean } {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(deadlineIso) ? Date.parse(`${deadlineIso}T23:59:59+07:00`) : Date.parse(deadlineIso);
  if (Number.isNaN(end)) return { text: "", overdue: false, soon: false };
  const diff = end - now;
  const abs = Math.abs(diff);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span = days > 0 ? `${days} ngày${hours ? ` ${hours} giờ` : ""}` : hours > 0 ? `${hours} giờ ${minutes} phút` : `${minutes} phút`;
  return diff >= 0
    ? { text: `còn ${span}`, overdue: false, soon: diff < 3 * 86_400_000 }
    : { text: `đã quá hạn ${span}`, overdue: true, soon: false };
}

/** Parse what a clerk types as a whole number: "15.000", "15 000" and "15000" are 15000. */
export function parseWhole(text: string): number | null | "invalid" {
  const cleaned = text.replace(/[\s.]/g, "");
  if (cleaned === "") return null;
  if (!/^\d+$/.test(cleaned)) return "invalid";
  return Number(cleaned);
}
