import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors, newKey } from "../api/client";
import type { Problem } from "../api/types";
import type { components } from "../api/schema";
import { dateTime, num, parseWhole, periodLabel } from "../lib/format";
import { onOutcome, pending, submit, type Report, type ReportIn } from "../lib/outbox";
import { Field, Heading, Loading, Notice } from "../ui";

type Catalog = components["schemas"]["IndicatorCatalog"];
type Indicator = components["schemas"]["Indicator"];

const ACHIEVEMENTS_MAX = 20000;
const HISTORY_PERIODS = 12; // as the API's outlier rule: the median of the unit's 12 earlier periods

/** What the clerk has typed, kept in the browser until the report is sent. */
interface Draft {
  values: Record<string, string>;
  comments: Record<string, string>;
  achievements: string;
  baseEtag: string | null; // the version the clerk started from (If-Match)
  baseValues: Record<string, number>; // its figures, to show what changed on a 412
  key: string; // Idempotency-Key of this draft's submission
  savedAt?: string;
}

const draftKey = (unitId: string, period: string) => `thidua.draft.${unitId}.${period}`;

function readDraft(unitId: string, period: string): Draft | null {
  try {
    return JSON.parse(localStorage.getItem(draftKey(unitId, period)) ?? "null") as Draft | null;
  } catch {
    return null;
  }
}

function fromReport(report: Report | null, etag: string | null): Draft {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(report?.values ?? {})) values[k] = num(v);
  return {
    values, comments: { ...(report?.comments ?? {}) }, achievements: report?.achievements ?? "",
    baseEtag: etag, baseValues: { ...(report?.values ?? {}) }, key: newKey(),
  };
}

function previousPeriods(period: string, n: number): [string, string] | null {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return null;
  const idx = Number(m[1]) * 12 + Number(m[2]) - 1;
  const code = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
  return [code(idx - n), code(idx - 1)];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface Conflict { current: Report; etag: string | null }

export function ReportForm({ unitId, period }: { unitId: string; period: string }) {
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [server, setServer] = useState<{ report: Report | null; etag: string | null } | null>(null);
  const [history, setHistory] = useState<Record<string, number[]>>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState<{ kind: "sent" | "queued"; text: string } | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const [offlineRead, setOfflineRead] = useState(false);
  const [fromDraft, setFromDraft] = useState(false);
  const statusRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const reading = api.GET("/v1/units/{unit_id}/reports/{period}", { params: { path: { unit_id: unitId, period } } })
          .catch(() => null); // offline and never read here: the form still opens
        const cat = await api.GET("/v1/indicators");
        const cur = await reading;
        if (cancelled) return;
        if (!cat.data) throw asProblem(cat.error, cat.response);
        setCatalog(cat.data);
        const report = cur?.data ?? null;
        const etag = cur?.response.headers.get("ETag") ?? null;
        if (cur && !report && cur.response.status !== 404) setLoadError(describe(asProblem(cur.error, cur.response)));
        if (!cur) setOfflineRead(true);
        setServer({ report, etag });
        const saved = readDraft(unitId, period);
        setDraft(saved ?? fromReport(report, etag));
        setFromDraft(!!saved);
        const queued = (await pending()).find((q) => q.unit_id === unitId && q.period === period);
        if (queued) setStatus({ kind: "queued", text: "Đang chờ gửi: báo cáo sẽ tự gửi khi có kết nối mạng." });
      } catch (e) {
        if (!cancelled) setLoadError(e && typeof e === "object" && "status" in e ? describe(e as Problem)
          : "Không kết nối được máy chủ và chưa có bản lưu trên máy. Kiểm tra kết nối mạng.");
      }
    })();
    const range = previousPeriods(period, HISTORY_PERIODS);
    if (range) {
      api.GET("/v1/units/{unit_id}/reports", { params: { path: { unit_id: unitId }, query: { from: range[0], to: range[1], limit: 100 } } })
        .then(({ data }) => {
          const h: Record<string, number[]> = {};
          for (const r of data?.items ?? []) for (const [k, v] of Object.entries(r.values)) (h[k] ??= []).push(v);
          if (!cancelled) setHistory(h);
        }, () => undefined);
    }
    return () => {
      cancelled = true;
    };
  }, [unitId, period]);

  // The outbox tells when a queued submission of this form is finally answered.
  useEffect(() => onOutcome((o) => {
    if (o.item.unit_id !== unitId || o.item.period !== period) return;
    if (o.kind === "sent") accepted(o.report, o.etag);
    else if (o.kind === "queued") setStatus({ kind: "queued", text: "Đang chờ gửi: báo cáo sẽ tự gửi khi có kết nối mạng." });
    else refused(o.problem);
  }), [unitId, period, draft?.baseValues]);

  useEffect(() => {
    if (draft && touched) localStorage.setItem(draftKey(unitId, period), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
  }, [draft, touched]);

  const parsed = useMemo(() => {
    const values: Record<string, number> = {};
    const local: Record<string, string> = {};
    if (!catalog || !draft) return { values, local };
    for (const ind of catalog.indicators) {
      const raw = draft.values[ind.code] ?? "";
      const v = parseWhole(raw);
      if (v === "invalid") local[ind.code] = "Chỉ nhập số nguyên không âm (ví dụ 15.000).";
      else if (v !== null && (v < ind.min || v > ind.max)) local[ind.code] = `Phải từ ${num(ind.min)} đến ${num(ind.max)}.`;
      else if (v !== null) values[ind.code] = v;
    }
    for (const rule of catalog.rules) {
      const a = values[rule.field];
      const b = values[rule.other];
      if (rule.kind === "not_greater_than" && a != null && b != null && a > b) local[rule.field] ??= rule.message;
      if (rule.kind === "requires_positive" && a != null && a > 0 && !(b != null && b > 0)) local[rule.field] ??= rule.message;
    }
    return { values, local };
  }, [catalog, draft]);

  const outliers = useMemo(() => {
    const out: Record<string, { median: number; factor: number }> = {};
    const factor = catalog?.soft_rules.outlier_factor ?? 10;
    for (const [code, value] of Object.entries(parsed.values)) {
      const past = history[code];
      if (!past?.length) continue;
      const m = median(past);
      if (m > 0 && value > factor * m) out[code] = { median: m, factor };
    }
    return out;
  }, [parsed, history, catalog]);

  if (loadError && !draft) return <section><Heading>Báo cáo {periodLabel(period)}</Heading><Notice kind="error">{loadError}</Notice></section>;
  if (!catalog || !draft) return <Loading />;

  const serverErrors = fieldErrors(problem);
  const update = (change: Partial<Draft>) => {
    setTouched(true);
    setDraft({ ...draft, ...change });
  };

  function accepted(report: Report, etag: string | null) {
    localStorage.removeItem(draftKey(unitId, period));
    setServer({ report, etag });
    setDraft(fromReport(report, etag));
    setTouched(false);
    setFromDraft(false);
    setProblem(null);
    setConflict(null);
    setStatus({ kind: "sent", text: `Đã gửi: phiên bản ${report.version} lúc ${dateTime(report.submitted_at)}.` });
    statusRef.current?.focus();
  }

  async function refused(p: Problem) {
    setStatus(null);
    // That submission was answered: a corrected one is a new request with a new key.
    setDraft((d) => (d ? { ...d, key: newKey() } : d));
    if (p.status === 412 || p.status === 428) {
      // Someone replaced the report since this form read it: show what changed, overwrite nothing.
      const cur = await api.GET("/v1/units/{unit_id}/reports/{period}", { params: { path: { unit_id: unitId, period } } });
      if (cur.data) setConflict({ current: cur.data, etag: cur.response.headers.get("ETag") });
      setProblem(null);
    } else {
      setProblem(p);
    }
    statusRef.current?.focus();
  }

  async function send(e: Event) {
    e.preventDefault();
    if (!draft) return;
    setTouched(true);
    const localErrors = Object.keys(parsed.local).length;
    const missingComments = Object.keys(outliers).filter((c) => !draft.comments[c]?.trim());
    if (localErrors || missingComments.length) {
      setProblem({ status: 422, title: "Có ô chưa hợp lệ", detail: "Hãy sửa các ô được đánh dấu rồi gửi lại." });
      document.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    const comments: Record<string, string> = {};
    for (const [k, v] of Object.entries(draft.comments)) if (v.trim() && k in parsed.values) comments[k] = v.trim();
    const body = { values: parsed.values, comments, achievements: draft.achievements } as ReportIn;
    setBusy(true);
    setProblem(null);
    try {
      const outcome = await submit(unitId, period, body, draft.baseEtag, draft.key);
      if (outcome.kind === "sent") accepted(outcome.report, outcome.etag);
      else if (outcome.kind === "refused") void refused(outcome.problem);
      else setStatus({ kind: "queued", text: "Đang chờ gửi: báo cáo sẽ tự gửi khi có kết nối mạng." });
    } finally {
      setBusy(false);
    }
  }

  function useLatest(c: Conflict) {
    localStorage.removeItem(draftKey(unitId, period));
    setServer({ report: c.current, etag: c.etag });
    setDraft(fromReport(c.current, c.etag));
    setConflict(null);
  }

  function keepMine(c: Conflict) {
    update({ baseEtag: c.etag, baseValues: { ...c.current.values }, key: newKey() });
    setConflict(null);
  }

  const general = problem && (problem.status !== 422 || !Object.keys(serverErrors).length);
  const labels = Object.fromEntries(catalog.indicators.map((i) => [i.code, i.label]));
  const rulesFor = (code: string) => catalog.rules.filter((r) => r.field === code);
  const queued = status?.kind === "queued";

  return (
    <section>
      <Heading>Báo cáo {periodLabel(period)}</Heading>
      <p class="lead">
        {server?.report
          ? `Phiên bản hiện tại: ${server.report.version}, gửi lúc ${dateTime(server.report.submitted_at)}. Gửi lại sẽ tạo phiên bản mới.`
          : "Chưa có báo cáo kỳ này."}{" "}
        Bản nháp được lưu trên máy này khi bạn nhập, kể cả khi mất mạng.
      </p>
      {fromDraft && !status && (
        <Notice>
          Đang tiếp tục bản nháp lưu trên máy này{draft.savedAt ? ` lúc ${dateTime(draft.savedAt)}` : ""}.{" "}
          <button type="button" class="linklike" onClick={() => {
            localStorage.removeItem(draftKey(unitId, period));
            setDraft(fromReport(server?.report ?? null, server?.etag ?? null));
            setTouched(false);
            setFromDraft(false);
          }}>Bỏ bản nháp, dùng bản đã gửi</button>
        </Notice>
      )}
      {offlineRead && (
        <Notice kind="warn">Đang mất mạng và máy này chưa lưu bản báo cáo hiện tại: vẫn điền và gửi được; nếu kỳ này
          đã có báo cáo, khi có mạng bạn sẽ được xem những gì khác trước khi ghi đè.</Notice>
      )}
      {server?.report?.review?.action === "return" && (
        <Notice kind="warn">Văn phòng đã trả lại báo cáo: {server.report.review.note}</Notice>
      )}
      <div ref={statusRef} tabIndex={-1} aria-live="polite">
        {status && <Notice kind={status.kind === "sent" ? "ok" : "warn"}>{status.text}</Notice>}
        {general && problem && <Notice kind="error">{problem.status === 423
          ? `Kỳ báo cáo đã khóa: ${problem.detail ?? "không thể gửi hoặc sửa báo cáo kỳ này."}`
          : describe(problem)}</Notice>}
        {conflict && <ConflictView conflict={conflict} base={draft.baseValues} mine={parsed.values} labels={labels}
                                   onLatest={() => useLatest(conflict)} onKeep={() => keepMine(conflict)} />}
      </div>

      <form onSubmit={send} noValidate>
        <fieldset>
          <legend>Số liệu</legend>
          <p class="hint">Nhập số nguyên không âm; bỏ trống chỉ tiêu không có số liệu. Có thể gõ dấu chấm ngăn cách hàng nghìn (15.000).</p>
          <div class="indicators">
            {catalog.indicators.map((ind) => (
              <IndicatorField key={ind.code} ind={ind} raw={draft.values[ind.code] ?? ""}
                error={parsed.local[ind.code] ?? serverErrors[`values.${ind.code}`] ?? null}
                rules={rulesFor(ind.code).map((r) => r.message)}
                outlier={outliers[ind.code]} comment={draft.comments[ind.code] ?? ""}
                askComment={!!serverErrors[`values.${ind.code}`] || !!serverErrors[`comments.${ind.code}`]}
                commentError={serverErrors[`comments.${ind.code}`] ??
                  (outliers[ind.code] && touched && !draft.comments[ind.code]?.trim() ? "Cần giải thích số liệu bất thường này." : null)}
                onValue={(v) => update({ values: { ...draft.values, [ind.code]: v } })}
                onComment={(v) => update({ comments: { ...draft.comments, [ind.code]: v } })} />
            ))}
          </div>
        </fieldset>
        <Field id="achievements" label="Thành tích nổi bật" error={serverErrors.achievements}
               hint="Những việc làm, kết quả nổi bật của đơn vị trong kỳ (không bắt buộc).">
          {(d, inv) => (
            <>
              <textarea id="achievements" rows={6} maxLength={ACHIEVEMENTS_MAX} value={draft.achievements}
                        aria-describedby={`${d ?? ""} achievements-count`.trim()} aria-invalid={inv}
                        onInput={(e) => update({ achievements: e.currentTarget.value })} />
              <p class="count" id="achievements-count">{num(draft.achievements.length)}/{num(ACHIEVEMENTS_MAX)} ký tự</p>
            </>
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button" disabled={busy || queued}>Gửi báo cáo</button>
          <a class="button button--secondary" href="#/">Quay lại</a>
        </div>
      </form>
    </section>
  );
}

interface IndicatorFieldProps {
  ind: Indicator; raw: string; error: string | null; rules: string[];
  outlier?: { median: number; factor: number }; comment: string; commentError: string | null; askComment: boolean;
  onValue: (v: string) => void; onComment: (v: string) => void;
}

function IndicatorField({ ind, raw, error, rules, outlier, comment, commentError, askComment, onValue, onComment }: IndicatorFieldProps) {
  const id = `v-${ind.code}`;
  const hint = (
    <>
      Đơn vị tính: {ind.unit}; từ {num(ind.min)} đến {num(ind.max)}.
      {ind.example != null && <> Ví dụ: {num(ind.example)}.</>}
      {rules.map((r) => <span key={r} class="rule"> {r}</span>)}
    </>
  );
  return (
    <div class="indicator">
      <Field id={id} label={ind.label} error={error} hint={hint}>
        {(d, inv) => (
          <input id={id} name={ind.code} inputMode="numeric" autoComplete="off" value={raw}
                 aria-describedby={d} aria-invalid={inv}
                 onInput={(e) => onValue(e.currentTarget.value)}
                 onBlur={(e) => {
                   const v = parseWhole(e.currentTarget.value);
                   if (typeof v === "number") onValue(num(v));
                 }} />
        )}
      </Field>
      {(outlier || comment || askComment) && (
        <Field id={`c-${ind.code}`} label={`Giải thích cho «${ind.label}»`} error={commentError}
               hint={outlier ? `Số này lớn hơn ${outlier.factor} lần trung vị các kỳ trước của đơn vị (${num(outlier.median)}): cần giải thích thì mới gửi được.` : undefined}>
          {(d, inv) => <textarea id={`c-${ind.code}`} rows={2} maxLength={2000} value={comment} aria-describedby={d}
                                 aria-invalid={inv} onInput={(e) => onComment(e.currentTarget.value)} />}
        </Field>
      )}
    </div>
  );
}

function ConflictView({ conflict, base, mine, labels, onLatest, onKeep }: {
  conflict: Conflict; base: Record<string, number>; mine: Record<string, number>; labels: Record<string, string>;
  onLatest: () => void; onKeep: () => void;
}) {
  const now = conflict.current.values;
  const codes = Object.keys(labels).filter((c) => base[c] !== now[c]);
  return (
    <div class="notice notice--warn conflict" role="alert">
      <p><strong>Báo cáo đã được cập nhật</strong> sau khi bạn mở (phiên bản {conflict.current.version}, lúc{" "}
        {dateTime(conflict.current.submitted_at)}). Bài của bạn chưa được gửi để không ghi đè lên thay đổi đó.</p>
      {codes.length > 0 ? (
        <table class="grid">
          <caption>Những số liệu đã thay đổi</caption>
          <thead><tr><th scope="col">Chỉ tiêu</th><th scope="col">Lúc bạn mở</th><th scope="col">Hiện tại</th><th scope="col">Bạn nhập</th></tr></thead>
          <tbody>
            {codes.map((c) => (
              <tr key={c}><th scope="row">{labels[c]}</th><td>{num(base[c])}</td><td>{num(now[c])}</td><td>{num(mine[c])}</td></tr>
            ))}
          </tbody>
        </table>
      ) : <p>Số liệu không đổi; phần thành tích hoặc giải thích đã được sửa.</p>}
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={onLatest}>Dùng bản hiện tại</button>
        <button type="button" class="button" onClick={onKeep}>Giữ số liệu của tôi (rồi bấm Gửi báo cáo)</button>
      </div>
    </div>
  );
}
