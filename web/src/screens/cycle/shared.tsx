/** What the board and the report review share: the exception dialog, "Nhắc nộp ngay", Hà Nội times, texts. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { Problem } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { dateTime } from "../../lib/format";
import { Field, Notice } from "../../ui";

export type Message = { kind: "ok" | "error" | "warn"; text: string };

/** The subtree (branch) states of the completeness board, in the words the office uses. */
export const BRANCH_TEXT: Record<string, string> = {
  complete: "Đủ cả nhánh",
  partial: "Thiếu một phần nhánh",
  none: "Cả nhánh chưa nộp",
};
export const TIMELINESS_TEXT: Record<string, string> = { on_time: "Đúng hạn", late: "Trễ hạn" };

const HANOI_MS = 7 * 3_600_000; // Việt Nam keeps UTC+7 all year: no daylight saving to follow

/** An instant as a datetime-local value ("2026-12-10T17:00") in Hà Nội time, whatever the browser's zone. */
export function toHanoiInput(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? "" : new Date(at + HANOI_MS).toISOString().slice(0, 16);
}

/** A datetime-local value read as Hà Nội time, as the API's ISO 8601 instant. */
export function fromHanoiInput(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+07:00`;
}

/** "Tháng 8/2021" (as the period picker names it) from a period code. */
export function shortLabel(code: string): string {
  let m = /^(\d{4})-(\d{2})$/.exec(code);
  if (m) return `Tháng ${Number(m[2])}/${m[1]}`;
  m = /^(\d{4})-W(\d{2})$/.exec(code);
  if (m) return `Tuần ${Number(m[2])}/${m[1]}`;
  m = /^(\d{4})-Q(\d)$/.exec(code);
  if (m) return `Quý ${["", "I", "II", "III", "IV"][Number(m[2])]}/${m[1]}`;
  return code;
}

/** POST .../reminder: the reminder email now; the sentence to show either way. */
export async function remindNow(unitId: string, unitName: string, period: string): Promise<Message> {
  try {
    const { data, error, response } = await api.POST("/v1/units/{unit_id}/reports/{period}/reminder", {
      params: { path: { unit_id: unitId, period } },
    });
    if (data) return { kind: "ok", text: `Đã gửi thư nhắc nộp báo cáo tới ${unitName} (${data.sent_to.join(", ")}).` };
    return { kind: "error", text: describe(asProblem(error, response)) };
  } catch {
    return { kind: "error", text: "Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại." };
  }
}

/** Tomorrow at 17:00 in Hà Nội: a sensible first value for an exception. */
function tomorrowAfternoon(): string {
  const day = new Date(Date.now() + HANOI_MS + 86_400_000).toISOString().slice(0, 10);
  return `${day}T17:00`;
}

interface ExceptionProps {
  open: boolean;
  onClose: () => void;
  unitId: string;
  unitName: string;
  period: string;
  onGranted: (text: string) => void;
}

/** "Gia hạn": until when (Hà Nội time) and why; POST .../exception. */
export function ExceptionDialog({ open, onClose, unitId, unitName, period, onGranted }: ExceptionProps) {
  const [until, setUntil] = useState("");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setUntil(tomorrowAfternoon());
      setReason("");
      setProblem(null);
    }
  }, [open, unitId]);
  const errs = fieldErrors(problem);

  async function save(e: Event) {
    e.preventDefault();
    const local = [
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(until) && { field: "until", message: "Chọn ngày và giờ gia hạn đến." },
      !reason.trim() && { field: "reason", message: "Nhập lý do gia hạn." },
    ].filter((x): x is { field: string; message: string } => !!x);
    if (local.length) {
      setProblem({ status: 422, title: "", errors: local });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/v1/units/{unit_id}/reports/{period}/exception", {
        params: { path: { unit_id: unitId, period } },
        body: { until: fromHanoiInput(until), reason: reason.trim() },
      });
      if (data) {
        onGranted(`Đã gia hạn nộp báo cáo cho ${unitName} đến ${dateTime(data.until)}.`);
        onClose();
      } else {
        setProblem(asProblem(error, response));
      }
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  const general = problem && !errs.until && !errs.reason;
  return (
    <Dialog title={`Gia hạn cho ${unitName}`} open={open} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <p class="hint">Đơn vị được nộp hoặc sửa báo cáo kỳ {shortLabel(period)} đến thời điểm này, kể cả khi đã quá hạn nộp của kỳ.</p>
        <Field id="exception-until" label="Gia hạn đến" error={errs.until} hint="Giờ Hà Nội.">
          {(d, inv) => <input id="exception-until" type="datetime-local" required value={until} aria-describedby={d}
                              aria-invalid={inv} onInput={(e) => {
                                setUntil(e.currentTarget.value);
                                if (problem) setProblem(null);
                              }} />}
        </Field>
        <Field id="exception-reason" label="Lý do gia hạn" error={errs.reason}>
          {(d, inv) => <textarea id="exception-reason" rows={3} maxLength={1000} required value={reason}
                                 aria-describedby={d} aria-invalid={inv} onInput={(e) => {
                                   setReason(e.currentTarget.value);
                                   if (problem) setProblem(null);
                                 }} />}
        </Field>
        {general && problem && <Notice kind="error">{describe(problem)}</Notice>}
        <div class="actions"><button type="submit" class="button" disabled={busy}>Lưu gia hạn</button></div>
      </form>
    </Dialog>
  );
}
