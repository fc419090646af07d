/** One nomination on the scoring sheet: who and what, the achievements (expandable), and the
 * reviewer's scores per criterion (a form while open, text once finalised, nothing when conflicted). */
import { useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { api, asProblem, describe, fieldErrors } from "../../api/client";
import type { Problem } from "../../api/types";
import { dateTime } from "../../lib/format";
import { Field, Notice } from "../../ui";
import type { Head } from "./Scoring";

type Row = components["schemas"]["SheetRow"];

const KIND: Record<string, string> = { collective: "Tập thể", individual: "Cá nhân" };
export const CONFLICT = "Không được chấm: xung đột lợi ích";

/** What a reviewer typed, checked as the API checks it: a whole number from 0 to `max`. */
export function checkScore(text: string, badInput: boolean, max: number): string | null {
  const t = text.trim().replace(",", ".");
  if (badInput) return `Điểm phải là số nguyên từ 0 đến ${max}.`;
  if (t === "") return `Nhập điểm từ 0 đến ${max}.`;
  if (!/^-?\d+(\.\d+)?$/.test(t)) return `Điểm phải là số nguyên từ 0 đến ${max}.`;
  const n = Number(t);
  if (!Number.isInteger(n)) return `Điểm là số nguyên, không có phần lẻ (ví dụ 7 hoặc 8, không phải ${t.replace(".", ",")}).`;
  if (n < 0 || n > max) return `Điểm phải từ 0 đến ${max}.`;
  return null;
}

export function ScoreCard({ row, head, finalised, onChanged }: {
  row: Row; head: Head; finalised: boolean; onChanged: (row: Row) => void;
}) {
  const n = row.nomination;
  const titleId = `nom-${n.id}`;
  return (
    <li class="card score-card" aria-labelledby={titleId}>
      <h2 class="card__title" id={titleId}>{n.name}</h2>
      <p class="score-card__meta">
        {KIND[n.kind] ?? n.kind}{n.position ? ` · ${n.position}` : ""} · <strong>{row.award_form_name}</strong>
      </p>
      <p class="score-card__meta">
        Đơn vị đề nghị: {row.unit_name}
        {n.nominee_unit_id !== n.unit_id && <> · Đơn vị của người được đề nghị: {row.nominee_unit_name}</>}
      </p>
      <Achievements row={row} />
      {row.conflict ? (
        <div class="notice notice--warn score-card__conflict" role="note">
          <p><strong>{CONFLICT}</strong></p>
          <p>{row.conflict}</p>
        </div>
      ) : finalised ? (
        <ReadOnlyScores row={row} head={head} />
      ) : (
        <ScoreForm row={row} head={head} onChanged={onChanged} />
      )}
    </li>
  );
}

function Achievements({ row }: { row: Row }) {
  const n = row.nomination;
  const [full, setFull] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cut = n.achievements_length > n.achievements.length || n.achievements.endsWith("…");
  const textId = `ach-${n.id}`;

  async function toggle() {
    if (open) {
      setOpen(false);
      return;
    }
    if (full === null) {
      setBusy(true);
      setError(null);
      try {
        const { data, error: e, response } = await api.GET("/v1/nominations/{nomination_id}",
          { params: { path: { nomination_id: n.id } } });
        if (!data) {
          setError(describe(asProblem(e, response)));
          return;
        }
        setFull(data.achievements);
      } catch {
        setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
        return;
      } finally {
        setBusy(false);
      }
    }
    setOpen(true);
  }

  return (
    <div class="score-card__achievements">
      <h3>Thành tích</h3>
      <p id={textId} class="score-card__text">{open && full !== null ? full : n.achievements}</p>
      {cut && (
        <button type="button" class="linklike" aria-expanded={open} aria-controls={textId} disabled={busy}
          onClick={() => void toggle()}>
          {open ? "Thu gọn" : busy ? "Đang tải toàn văn…" : "Xem toàn văn thành tích"}
          <span class="sr-only"> của «{n.name}»</span>
        </button>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function ReadOnlyScores({ row, head }: { row: Row; head: Head }) {
  if (!row.mine) return <p class="hint score-card__none">Bạn không chấm đề nghị này trước khi danh sách được chốt.</p>;
  return (
    <div class="score-card__mine">
      <h3>Điểm của bạn</h3>
      <dl class="score-readonly">
        {head.criteria.map((c) => (
          <div key={c.code}>
            <dt>{c.label}</dt>
            <dd>{row.mine!.scores[c.code] ?? "—"}/{head.criterion_max}</dd>
          </div>
        ))}
      </dl>
      {row.mine.note && <p><strong>Nhận xét:</strong> {row.mine.note}</p>}
      <p class="hint">Đã chấm lúc {dateTime(row.mine.at)}.</p>
    </div>
  );
}

type Values = Record<string, { text: string; bad: boolean }>;

function ScoreForm({ row, head, onChanged }: { row: Row; head: Head; onChanged: (row: Row) => void }) {
  const n = row.nomination;
  const initial = (): Values => Object.fromEntries(head.criteria.map((c) => {
    const v = row.mine?.scores[c.code];
    return [c.code, { text: v === undefined ? "" : String(v), bad: false }];
  }));
  const [values, setValues] = useState<Values>(initial);
  const [note, setNote] = useState(row.mine?.note ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setSaved(null);
    setProblem(null);
    const found: Record<string, string> = {};
    for (const c of head.criteria) {
      const why = checkScore(values[c.code].text, values[c.code].bad, head.criterion_max);
      if (why) found[c.code] = why;
    }
    setErrors(found);
    if (Object.keys(found).length) {
      document.getElementById(`score-${n.id}-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    const scores = Object.fromEntries(head.criteria.map((c) => [c.code, Number(values[c.code].text.trim())]));
    setBusy(true);
    try {
      const { data, error, response } = await api.POST("/v1/nominations/{nomination_id}/scores",
        { params: { path: { nomination_id: n.id } }, body: { scores, note: note.trim() } });
      if (data) {
        setSaved(`Đã lưu điểm lúc ${dateTime(data.at)}.`);
        onChanged({ ...row, mine: { scores: data.scores, note: data.note, at: data.at } });
        return;
      }
      const p = asProblem(error, response) as Problem;
      if (p.status === 403 && p.reason === "conflict_of_interest") {
        // the rule applies now (the reviewer's unit changed since the page was read): say the API's words
        onChanged({ ...row, conflict: p.detail ?? CONFLICT });
        return;
      }
      if (p.status === 422) {
        const byField = fieldErrors(p);
        const mapped: Record<string, string> = {};
        const rest: string[] = [];
        for (const [field, message] of Object.entries(byField)) {
          const code = field.startsWith("scores.") ? field.slice("scores.".length) : field;
          if (head.criteria.some((c) => c.code === code)) mapped[code] = message;
          else if (field === "note") mapped.note = message;
          else rest.push(message);
        }
        setErrors(mapped);
        setProblem(rest.length || !Object.keys(mapped).length ? [describe(p), ...rest].join(" ") : null);
        return;
      }
      setProblem(describe(p));
      if (p.status === 423) onChanged(row); // finalised meanwhile: the sheet reloads its state
    } catch {
      setProblem("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="score-form" noValidate onSubmit={(e) => void save(e)} aria-label={`Chấm điểm «${n.name}»`}>
      <h3>Điểm của bạn {row.mine ? <span class="state state--accepted">Đã chấm</span>
        : <span class="state state--missing">Chưa chấm</span>}</h3>
      <div class="score-form__fields">
        {head.criteria.map((c) => {
          const id = `score-${n.id}-${c.code}`;
          return (
            <Field key={c.code} id={id} error={errors[c.code]}
              label={<>{c.label}<span class="sr-only"> («{n.name}»)</span></>}
              hint={`0–${head.criterion_max} điểm · trọng số ${Math.round(c.weight * 100)}%`}>
              {(describedBy, invalid) => (
                <input id={id} type="number" inputMode="numeric" min={0} max={head.criterion_max} step={1}
                  class="score-input" value={values[c.code].text}
                  aria-describedby={[describedBy, `criterion-${c.code}`].filter(Boolean).join(" ")}
                  aria-invalid={invalid || undefined}
                  onInput={(ev) => {
                    const el = ev.currentTarget;
                    setValues((old) => ({ ...old, [c.code]: { text: el.value, bad: el.validity.badInput } }));
                    if (errors[c.code]) setErrors((old) => ({ ...old, [c.code]: "" }));
                  }} />
              )}
            </Field>
          );
        })}
      </div>
      <Field id={`note-${n.id}`} label={<>Nhận xét (không bắt buộc)<span class="sr-only"> («{n.name}»)</span></>}
        error={errors.note}>
        {(describedBy, invalid) => (
          <textarea id={`note-${n.id}`} rows={2} maxLength={4000} value={note} aria-describedby={describedBy}
            aria-invalid={invalid || undefined} onInput={(ev) => setNote(ev.currentTarget.value)} />
        )}
      </Field>
      {problem && <Notice kind="error">{problem}</Notice>}
      {saved && <Notice kind="ok">{saved}</Notice>}
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {busy ? "Đang lưu…" : "Lưu điểm"}<span class="sr-only"> cho «{n.name}»</span>
        </button>
      </div>
      {row.mine && !saved && <p class="hint">Đã chấm lúc {dateTime(row.mine.at)}; sửa điểm rồi bấm «Lưu điểm».</p>}
    </form>
  );
}
