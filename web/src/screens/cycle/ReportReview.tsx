/** A unit's report for a period (#/ky-bao-cao/<period>/<unit>): its figures with their units, comments,
 * achievements, what changed between versions, the audit trail; accept, return with a note, extend, remind. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { components } from "../../api/schema";
import type { Problem } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { moreLabel, usePages } from "../../components/pages";
import { dateTime, num } from "../../lib/format";
import { href } from "../../lib/router";
import { Field, Heading, Loading, Notice, STATE_TEXT } from "../../ui";
import { ExceptionDialog, type Message, TIMELINESS_TEXT, remindNow, shortLabel } from "./shared";
import "./cycle.css";

type Report = components["schemas"]["Report"];
type Indicator = components["schemas"]["Indicator"];
type AuditEvent = components["schemas"]["AuditEvent"];
type Unit = components["schemas"]["Unit"];

const ACTION_TEXT: Record<string, string> = {
  submitted: "Nộp báo cáo",
  replaced: "Nộp bản sửa",
  accept: "Duyệt báo cáo",
  return: "Trả lại báo cáo",
  exception_granted: "Gia hạn nộp",
  reminder_sent: "Gửi thư nhắc nộp",
};
const STALE = "Báo cáo vừa được người khác thay đổi (đơn vị nộp lại hoặc đã được duyệt, trả lại). Trang đã tải lại bản mới nhất; hãy xem lại rồi thao tác.";

type Loaded = { report: Report | null; etag: string | null };

export default function ReportReview({ period, unitId }: { period: string; unitId: string }) {
  const [unit, setUnit] = useState<Unit | null>(null);
  const [indicators, setIndicators] = useState<Indicator[]>([]);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [dialog, setDialog] = useState<"return" | "exception" | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0); // after an action: the revisions and the audit are read again
  const label = shortLabel(period);
  const name = unit?.name ?? unitId;

  function loadReport(): Promise<void> {
    return api.GET("/v1/units/{unit_id}/reports/{period}", { params: { path: { unit_id: unitId, period } } }).then(
      ({ data, error: e, response }) => {
        if (data) setLoaded({ report: data, etag: response.headers.get("ETag") });
        else if (response.status === 404) setLoaded({ report: null, etag: null }); // not submitted (yet)
        else setError(describe(asProblem(e, response)));
      }, () => setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại."));
  }

  useEffect(() => {
    api.GET("/v1/units/{unit_id}", { params: { path: { unit_id: unitId } } }).then(({ data, error: e, response }) => {
      if (data) setUnit(data);
      else setError(describe(asProblem(e, response)));
    }, () => setError("Không kết nối được máy chủ."));
    api.GET("/v1/indicators").then(({ data }) => data && setIndicators(data.indicators), () => undefined);
    void loadReport();
  }, [unitId, period]);

  function after(text: Message) {
    setMessage(text);
    setRound((n) => n + 1);
  }

  async function accept() {
    if (!loaded?.report) return;
    setBusy(true);
    setMessage(null);
    try {
      const { data, error: e, response } = await api.POST("/v1/units/{unit_id}/reports/{period}/review", {
        params: { path: { unit_id: unitId, period } }, body: { action: "accept", note: "" },
        headers: loaded.etag ? { "If-Match": loaded.etag } : {},
      });
      if (data) {
        setLoaded({ report: data, etag: response.headers.get("ETag") });
        after({ kind: "ok", text: `Đã duyệt báo cáo ${label} của ${name}; báo cáo đã khóa.` });
      } else if (response.status === 412) {
        await loadReport();
        after({ kind: "warn", text: STALE });
      } else setMessage({ kind: "error", text: describe(asProblem(e, response)) });
    } catch {
      setMessage({ kind: "error", text: "Không kết nối được máy chủ." });
    } finally {
      setBusy(false);
    }
  }

  async function remind() {
    setBusy(true);
    setMessage(null);
    after(await remindNow(unitId, name, period));
    setBusy(false);
  }

  const report = loaded?.report ?? null;
  const state = report ? report.status : "missing";
  return (
    <section class="review">
      <p><a href={href("ky-bao-cao", period)}>← Kỳ báo cáo {label}</a></p>
      <Heading>{`Báo cáo ${label}: ${name}`}</Heading>
      {error && <Notice kind="error">{error}</Notice>}
      {!(loaded && unit) && !error && <Loading />}
      {loaded && unit && (
        <>
          <div class="review-state">
            <span class={`state state--${state}`}>{STATE_TEXT[state] ?? state}</span>
            {report && <span>Phiên bản {report.version}, nộp lúc {dateTime(report.submitted_at)}</span>}
            {report?.timeliness && <span>{TIMELINESS_TEXT[report.timeliness]}</span>}
          </div>
          {report?.review && (
            <p class="note">
              {report.review.action === "accept" ? "Đã duyệt" : "Đã trả lại"} lúc {dateTime(report.review.at)} bởi {report.review.by_name}
              {report.review.note && <>: “{report.review.note}”</>}
            </p>
          )}
          {!report && <p>{name} chưa nộp báo cáo {label}.</p>}
          <div class="actions">
            {report?.status === "submitted" && (
              <button type="button" class="button" disabled={busy} onClick={() => void accept()}>Duyệt báo cáo</button>
            )}
            {report && report.status !== "returned" && (
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => setDialog("return")}>Trả lại</button>
            )}
            {report?.status !== "accepted" && (
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => setDialog("exception")}>Gia hạn</button>
            )}
            {(!report || report.status === "returned") && (
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => void remind()}>Nhắc nộp ngay</button>
            )}
          </div>
          {message && <Notice kind={message.kind}>{message.text}</Notice>}
          {report && <Figures report={report} indicators={indicators} />}
          {report && <Revisions unitId={unitId} period={period} indicators={indicators} round={round} />}
          <Audit unitId={unitId} period={period} round={round} />
          {report && (
            <ReturnDialog open={dialog === "return"} onClose={() => setDialog(null)} unitId={unitId} period={period}
                          etag={loaded.etag} name={name}
                          onReturned={(r, etag, text) => {
                            setLoaded({ report: r, etag });
                            after(text);
                          }}
                          onStale={() => {
                            setDialog(null);
                            void loadReport().then(() => after({ kind: "warn", text: STALE }));
                          }} />
          )}
          <ExceptionDialog open={dialog === "exception"} onClose={() => setDialog(null)} unitId={unitId} unitName={name}
                           period={period} onGranted={(text) => after({ kind: "ok", text })} />
        </>
      )}
    </section>
  );
}

function Figures({ report, indicators }: { report: Report; indicators: Indicator[] }) {
  const shown = indicators.filter((i) => report.values[i.code] != null || report.comments[i.code]);
  const unknown = Object.keys(report.values).filter((code) => !indicators.some((i) => i.code === code));
  return (
    <>
      <h2>Số liệu</h2>
      {shown.length === 0 && unknown.length === 0 && <p>Báo cáo không có số liệu.</p>}
      {shown.length + unknown.length > 0 && (
        <table class="rows review-figures">
          <thead><tr><th scope="col">Chỉ tiêu</th><th scope="col">Số liệu</th><th scope="col">Đơn vị tính</th><th scope="col">Giải thích</th></tr></thead>
          <tbody>
            {shown.map((i) => (
              <tr key={i.code}>
                <th scope="row" data-label="Chỉ tiêu">{i.label}</th>
                <td class="num" data-label="Số liệu">{num(report.values[i.code])}<span class="unit-inline"> {i.unit}</span></td>
                <td class="unit-cell" data-label="Đơn vị tính">{i.unit}</td>
                <td data-label="Giải thích" class={report.comments[i.code] ? "" : "empty"}>{report.comments[i.code] || "—"}</td>
              </tr>
            ))}
            {unknown.map((code) => (
              <tr key={code}>
                <th scope="row" data-label="Chỉ tiêu">{code}</th>
                <td class="num" data-label="Số liệu">{num(report.values[code])}</td>
                <td data-label="Đơn vị tính">—</td>
                <td data-label="Giải thích">{report.comments[code] || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Thành tích nổi bật</h2>
      <p class="achievements">{report.achievements || "Đơn vị không ghi thành tích."}</p>
    </>
  );
}

/** Every version, newest first, each with what changed since the one before (old → new). */
function Revisions({ unitId, period, indicators, round }: { unitId: string; period: string; indicators: Indicator[]; round: number }) {
  const pages = usePages(
    (cursor) => api.GET("/v1/units/{unit_id}/reports/{period}/revisions",
      { params: { path: { unit_id: unitId, period }, query: { limit: 50, cursor } } }),
    (body) => ({ items: body.items, next: body.next }),
    [unitId, period, round],
  );
  const labelOf = (code: string) => indicators.find((i) => i.code === code);
  const versions = pages.items ?? [];
  return (
    <>
      <h2>Các phiên bản và thay đổi</h2>
      {pages.error && <Notice kind="error">{pages.error}</Notice>}
      {!pages.items && !pages.error && <Loading />}
      {[...versions].reverse().map((r) => {
        const before = versions.find((v) => v.version === r.version - 1);
        return (
          <div class="revision" key={r.version}>
            <h3>Phiên bản {r.version} — nộp lúc {dateTime(r.submitted_at)}</h3>
            {!before && <p class="note">{r.version === 1 ? "Bản nộp đầu tiên." : "Phiên bản trước chưa được tải."}</p>}
            {before && <Changes before={before} after={r} labelOf={labelOf} />}
          </div>
        );
      })}
      {pages.next && (
        <button type="button" class="button button--secondary" disabled={pages.loading} onClick={pages.more}>
          {moreLabel(versions.length)}
        </button>
      )}
    </>
  );
}

function Changes({ before, after, labelOf }: { before: Report; after: Report; labelOf: (code: string) => Indicator | undefined }) {
  const codes = [...new Set([...Object.keys(before.values), ...Object.keys(after.values)])];
  const figures = codes.filter((c) => before.values[c] !== after.values[c]);
  const comments = [...new Set([...Object.keys(before.comments), ...Object.keys(after.comments)])]
    .filter((c) => (before.comments[c] ?? "") !== (after.comments[c] ?? ""));
  const achievements = before.achievements !== after.achievements;
  if (!figures.length && !comments.length && !achievements) return <p class="note">Không thay đổi nội dung so với phiên bản {before.version}.</p>;
  return (
    <ul class="changes" aria-label={`Thay đổi so với phiên bản ${before.version}`}>
      {figures.map((c) => {
        const i = labelOf(c);
        return (
          <li key={c}>
            {i?.label ?? c}: <del>{num(before.values[c])}</del> → <ins>{num(after.values[c])}</ins>{i ? ` ${i.unit}` : ""}
          </li>
        );
      })}
      {comments.map((c) => (
        <li key={`comment-${c}`}>Giải thích “{labelOf(c)?.label ?? c}”: <del>{before.comments[c] || "(trống)"}</del> → <ins>{after.comments[c] || "(trống)"}</ins></li>
      ))}
      {achievements && <li>Phần thành tích nổi bật đã được sửa.</li>}
    </ul>
  );
}

function Audit({ unitId, period, round }: { unitId: string; period: string; round: number }) {
  const pages = usePages(
    (cursor) => api.GET("/v1/units/{unit_id}/reports/{period}/audit",
      { params: { path: { unit_id: unitId, period }, query: { limit: 50, cursor } } }),
    (body) => ({ items: body.items, next: body.next }),
    [unitId, period, round],
  );
  return (
    <>
      <h2>Nhật ký</h2>
      {pages.error && <Notice kind="error">{pages.error}</Notice>}
      {!pages.items && !pages.error && <Loading />}
      {pages.items && pages.items.length === 0 && <p>Chưa có thao tác nào.</p>}
      {pages.items && pages.items.length > 0 && (
        <table class="rows">
          <thead><tr><th scope="col">Thời điểm</th><th scope="col">Thao tác</th><th scope="col">Người thực hiện</th><th scope="col">Chi tiết</th></tr></thead>
          <tbody>
            {pages.items.map((e) => (
              <tr key={e.id}>
                <th scope="row" data-label="Thời điểm">{dateTime(e.at)}</th>
                <td data-label="Thao tác">{ACTION_TEXT[e.action] ?? e.action}</td>
                <td data-label="Người thực hiện">{e.actor_name}</td>
                <td data-label="Chi tiết">{detail(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages.next && (
        <button type="button" class="button button--secondary" disabled={pages.loading} onClick={pages.more}>
          {moreLabel(pages.items?.length ?? 0)}
        </button>
      )}
    </>
  );
}

function detail(e: AuditEvent): string {
  const d = e.detail as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.version === "number") parts.push(`phiên bản ${d.version}`);
  if (typeof d.note === "string" && d.note) parts.push(`ghi chú: “${d.note}”`);
  if (typeof d.until === "string") parts.push(`đến ${dateTime(d.until)}`);
  if (typeof d.reason === "string" && d.reason) parts.push(`lý do: ${d.reason}`);
  if (Array.isArray(d.to)) parts.push(`gửi tới ${d.to.join(", ")}`);
  return parts.join("; ") || "—";
}

interface ReturnProps {
  open: boolean;
  onClose: () => void;
  unitId: string;
  period: string;
  etag: string | null;
  name: string;
  onReturned: (report: Report, etag: string | null, message: Message) => void;
  onStale: () => void;
}

/** "Trả lại": the note the unit is emailed; If-Match the ETag read, so a report changed meanwhile is not returned blind. */
function ReturnDialog({ open, onClose, unitId, period, etag, name, onReturned, onStale }: ReturnProps) {
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) setProblem(null);
  }, [open]);
  const errs = fieldErrors(problem);

  async function send(e: Event) {
    e.preventDefault();
    if (!note.trim()) {
      setProblem({ status: 422, title: "", errors: [{ field: "note", message: "Nhập lý do trả lại để đơn vị biết cần sửa gì." }] });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/v1/units/{unit_id}/reports/{period}/review", {
        params: { path: { unit_id: unitId, period } }, body: { action: "return", note: note.trim() },
        headers: etag ? { "If-Match": etag } : {},
      });
      if (data) {
        setNote("");
        onClose();
        onReturned(data, response.headers.get("ETag"), data.notified
          ? { kind: "ok", text: `Đã trả lại báo cáo; ${name} đã được gửi thư kèm lý do.` }
          : { kind: "warn", text: `Đã trả lại báo cáo, nhưng chưa gửi được thư cho ${name}; hệ thống sẽ gửi lại trong lần chạy nhắc việc hằng ngày.` });
      } else if (response.status === 412) {
        onStale();
      } else {
        setProblem(asProblem(error, response));
      }
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Trả lại báo cáo" open={open} onClose={onClose}>
      <form onSubmit={send} noValidate>
        <p class="hint">{name} nhận thư kèm lý do này và có thể sửa, nộp lại báo cáo kể cả khi đã quá hạn.</p>
        <Field id="return-note" label="Lý do trả lại" error={errs.note}>
          {(d, inv) => <textarea id="return-note" rows={4} maxLength={4000} required value={note} aria-describedby={d}
                                 aria-invalid={inv} onInput={(e) => {
                                   setNote(e.currentTarget.value);
                                   if (problem) setProblem(null); // the error was about what is now being changed
                                 }} />}
        </Field>
        {problem && !errs.note && <Notice kind="error">{describe(problem)}</Notice>}
        <div class="actions"><button type="submit" class="button" disabled={busy}>Gửi trả lại</button></div>
      </form>
    </Dialog>
  );
}
