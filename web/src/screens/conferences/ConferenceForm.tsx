/** The conference's fields: POST /v1/conferences (with an Idempotency-Key) or PATCH with If-Match. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors, newKey } from "../../api/client";
import type { components } from "../../api/schema";
import type { Problem } from "../../api/types";
import { usePeriods } from "../../components/PeriodSelect";
import { UnitSelect, useUnitNames } from "../../components/units";
import { parseWhole } from "../../lib/format";
import { Field, Notice } from "../../ui";
import type { ConferenceRecord } from "./Conferences";

type AwardForm = components["schemas"]["AwardForm"];
type Body = components["schemas"]["ConferenceIn"];
interface Recipient { name: string; email: string }

interface Draft {
  title: string;
  date: string;
  place: string;
  periods: string[];
  everyUnit: boolean;
  unitIds: string[];
  recipients: Recipient[];
  quotas: Record<string, string>;
  deadline: string; // datetime-local, Hà Nội time
  signerTitle: string;
  signerName: string;
  agency: string;
  upperAgency: string;
  numberPrefix: string;
  listPrefix: string;
  reportTitle: string;
  distribution: string; // one line per place
  annex: boolean;
  summaryLevels: string; // "1".."4": the levels of units the báo cáo lists, each rolled up
  summaryDetail: string[]; // units whose whole subtree gets an annex of its own
}

/** The API's name of each part of the draft, to clear its error when it is edited. */
const FIELD_OF: Record<keyof Draft, string> = {
  title: "title", date: "date", place: "place", periods: "periods", everyUnit: "unit_ids", unitIds: "unit_ids",
  recipients: "recipients", quotas: "quotas", deadline: "nomination_deadline", signerTitle: "signer.title",
  signerName: "signer.name", agency: "agency", upperAgency: "upper_agency", numberPrefix: "number_prefix",
  listPrefix: "list_prefix", reportTitle: "report_title", distribution: "distribution", annex: "annex",
  summaryLevels: "summary_levels", summaryDetail: "summary_detail",
};

const TZ = "Asia/Ho_Chi_Minh";
const localParts = new Intl.DateTimeFormat("en-CA", {
  timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

/** An instant as <input type="datetime-local"> shows it in Hà Nội time ("2026-12-20T17:00"). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = Object.fromEntries(localParts.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** '"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>' -> its name and address (the API shows recipients as RFC 5322 text). */
export function splitRecipient(text: string): Recipient {
  const m = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(text);
  if (!m) return { name: "", email: text.trim() };
  let name = m[1];
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/\\(.)/g, "$1");
  return { name, email: m[2] };
}

/** "2021-08" -> "Tháng 8/2021", as the period picker names periods. */
function periodName(code: string): string {
  let m = /^(\d{4})-(\d{2})$/.exec(code);
  if (m) return `Tháng ${Number(m[2])}/${m[1]}`;
  m = /^(\d{4})-W(\d{2})$/.exec(code);
  if (m) return `Tuần ${Number(m[2])}/${m[1]}`;
  m = /^(\d{4})-Q(\d)$/.exec(code);
  if (m) return `Quý ${["", "I", "II", "III", "IV"][Number(m[2])]}/${m[1]}`;
  return code;
}

function draftOf(c: ConferenceRecord | null): Draft {
  return {
    title: c?.title ?? "",
    date: c?.date ?? "",
    place: c?.place ?? "Hà Nội",
    periods: c?.periods ?? [],
    everyUnit: !c?.unit_ids,
    unitIds: c?.unit_ids ?? [],
    recipients: c?.recipients.length ? c.recipients.map(splitRecipient) : [{ name: "", email: "" }],
    quotas: Object.fromEntries(Object.entries(c?.quotas ?? {}).map(([k, v]) => [k, String(v)])),
    deadline: toLocalInput(c?.nomination_deadline),
    signerTitle: c?.signer.title ?? "",
    signerName: c?.signer.name ?? "",
    agency: c?.agency ?? "VĂN PHÒNG BỘ",
    upperAgency: c?.upper_agency ?? "BỘ CÔNG AN",
    numberPrefix: c?.number_prefix ?? "BC-BCA",
    listPrefix: c?.list_prefix ?? "DS-BCA",
    reportTitle: c?.report_title ?? "",
    distribution: (c?.distribution ?? []).join("\n"),
    annex: c?.annex ?? false,
    summaryLevels: String(c?.summary_levels ?? 1),
    summaryDetail: c?.summary_detail ?? [],
  };
}

/** The body, or the fields the form itself refuses (what the API would answer in English or not at all). */
function bodyOf(d: Draft): { body: Body } | { errors: { field: string; message: string }[] } {
  const errors: { field: string; message: string }[] = [];
  if (!d.title.trim()) errors.push({ field: "title", message: "Nhập tên hội nghị." });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date)) errors.push({ field: "date", message: "Chọn ngày họp." });
  if (!d.periods.length) errors.push({ field: "periods", message: "Chọn ít nhất một kỳ báo cáo." });
  if (!d.everyUnit && !d.unitIds.length) errors.push({ field: "unit_ids", message: "Chọn ít nhất một đơn vị, hoặc chọn “Mọi đơn vị”." });
  if (d.deadline && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(d.deadline)) {
    errors.push({ field: "nomination_deadline", message: "Nhập ngày và giờ, ví dụ 20/12/2026 17:00." });
  }
  if (!d.signerTitle.trim()) errors.push({ field: "signer.title", message: "Nhập chức vụ người ký." });
  if (!d.signerName.trim()) errors.push({ field: "signer.name", message: "Nhập họ tên người ký." });
  const quotas: Record<string, number> = {};
  for (const [code, text] of Object.entries(d.quotas)) {
    const n = parseWhole(text);
    if (n === "invalid") errors.push({ field: `quotas.${code}`, message: "Nhập một số nguyên không âm, ví dụ 10." });
    else if (n !== null) quotas[code] = n;
  }
  if (errors.length) return { errors };
  const lines = d.distribution.split("\n").map((x) => x.trim()).filter(Boolean);
  return {
    body: {
      title: d.title.trim(), date: d.date, place: d.place.trim() || "Hà Nội", periods: d.periods,
      unit_ids: d.everyUnit ? null : d.unitIds,
      // A row left empty is no recipient; a row with only a name is sent as it is, for the API to name it.
      recipients: d.recipients.filter((r) => r.name.trim() || r.email.trim())
        .map((r) => ({ name: r.name.trim() || null, email: r.email.trim() })),
      quotas, nomination_deadline: d.deadline ? `${d.deadline}:00+07:00` : null,
      signer: { title: d.signerTitle.trim(), name: d.signerName.trim() },
      agency: d.agency.trim(), upper_agency: d.upperAgency.trim(), number_prefix: d.numberPrefix.trim(),
      list_prefix: d.listPrefix.trim(), report_title: d.reportTitle.trim() || null,
      distribution: lines.length ? lines : null, annex: d.annex,
      summary_levels: Number(d.summaryLevels), summary_detail: d.summaryDetail,
    },
  };
}

/** JSON with object keys in order: the same value, the same text. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v));
}

/** Only the fields that differ from what is stored: a PATCH changes nothing else (and a finalised
 * conference refuses changes to its quotas, periods, scope and deadline, not to its title or recipients). */
function changed(body: Body, stored: ConferenceRecord): Partial<Body> {
  const before = bodyOf(draftOf(stored));
  if (!("body" in before)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (stable(v) !== stable((before.body as Record<string, unknown>)[k])) out[k] = v;
  }
  return out as Partial<Body>;
}

/** The recipient rows' indexes among the rows sent (empty rows are left out), to put the API's errors back on the rows. */
function sentRows(d: Draft): number[] {
  return d.recipients.flatMap((r, i) => (r.name.trim() || r.email.trim() ? [i] : []));
}

let formsCache: Promise<AwardForm[]> | null = null;
function useAwardForms(): { forms: AwardForm[] | null; error: string | null } {
  const [forms, setForms] = useState<AwardForm[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!formsCache) {
      formsCache = api.GET("/v1/award-forms", {}).then(({ data, error: e, response }) => {
        if (!data) throw new Error(describe(asProblem(e, response)));
        return [...data.items].sort((a, b) => a.precedence - b.precedence);
      });
      formsCache.catch(() => (formsCache = null));
    }
    let live = true;
    formsCache.then((f) => live && setForms(f), (e: Error) => live && setError(e.message || "Không tải được danh mục khen thưởng."));
    return () => {
      live = false;
    };
  }, []);
  return { forms, error };
}

interface Props {
  conference: ConferenceRecord | null;
  etag: string | null;
  onSaved: (conference: ConferenceRecord, etag: string | null) => void;
  /** 412: someone else changed it since it was read. */
  onStale: () => void;
  onChange?: () => void;
  /** The outcome of the last save (shown by the save button, where the eye is). */
  message?: { kind: "ok" | "warn" | "error"; text: string } | null;
}

export function ConferenceForm({ conference, etag, onSaved, onStale, onChange, message }: Props) {
  const [d, setD] = useState<Draft>(() => draftOf(conference));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [rows, setRows] = useState<number[]>([]); // the recipient rows as they were sent
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null); // "nothing to save"
  const [key, setKey] = useState<string | null>(null); // the Idempotency-Key of a creation not yet answered
  const [addUnit, setAddUnit] = useState("");
  const [addDetail, setAddDetail] = useState("");
  const { periods, error: periodsError } = usePeriods("month", 24);
  const { forms, error: formsError } = useAwardForms();
  // Only the names of the units chosen (read 100 at a time), not every unit.
  const units = useUnitNames([...d.unitIds, ...d.summaryDetail]);
  // Finalised: the API refuses changes to the periods, scope, quotas and deadline (423), so they are shown, not offered.
  const locked = !!conference?.finalised_at;

  const set = (change: Partial<Draft>) => {
    setD((old) => ({ ...old, ...change }));
    // An edited field's error goes away (the others stay until the next save).
    const names = Object.keys(change).map((k) => FIELD_OF[k as keyof Draft]);
    setProblem((p) => {
      if (!p?.errors?.length) return p;
      const left = p.errors.filter((e) => !names.some((n) => e.field === n || e.field.startsWith(`${n}.`)));
      return left.length ? { ...p, errors: left } : null;
    });
    setKey(null); // another body: another submission
    setNote(null);
    onChange?.();
  };
  const errs = fieldErrors(problem);
  const shown = new Set<string>();
  /** The errors of a field and of its parts ("signer" and "signer.name"), marked as shown. */
  const err = (...names: string[]): string | undefined => {
    const found = Object.entries(errs).filter(([f]) => names.some((n) => f === n || f.startsWith(`${n}.`)));
    found.forEach(([f]) => shown.add(f));
    return found.length ? found.map(([, m]) => m).join(" ") : undefined;
  };
  /** The error of exactly this name (not of its parts). */
  const only = (name: string): string | undefined => {
    if (errs[name]) shown.add(name);
    return errs[name];
  };
  /** A recipient row's error: the API names the row among those sent ("recipients.1.email"). */
  const rowErr = (row: number, part: "name" | "email"): string | undefined => {
    const sent = rows.indexOf(row);
    if (sent < 0) return undefined;
    const found = Object.entries(errs).filter(([f]) => {
      const m = /^recipients\.(\d+)(?:\.(\w+))?/.exec(f);
      return m && Number(m[1]) === sent && (part === "name" ? m[2] === "name" : m[2] !== "name");
    });
    found.forEach(([f]) => shown.add(f));
    return found.length ? found.map(([, m]) => m).join(" ") : undefined;
  };

  async function save(e: Event) {
    e.preventDefault();
    const made = bodyOf(d);
    if ("errors" in made) {
      setProblem({ status: 422, title: "", errors: made.errors });
      return;
    }
    setBusy(true);
    setProblem(null);
    setNote(null);
    setRows(sentRows(d));
    try {
      if (conference === null) {
        const idem = key ?? newKey(); // the same key when a lost answer is retried
        setKey(idem);
        const { data, error, response } = await api.POST("/v1/conferences", {
          params: { header: { "Idempotency-Key": idem } }, body: made.body });
        setKey(null); // answered: a new submission takes a new key
        if (data) onSaved(data, response.headers.get("ETag"));
        else setProblem(asProblem(error, response));
      } else {
        const changes = changed(made.body, conference);
        if (!Object.keys(changes).length) {
          setNote("Chưa có gì thay đổi để lưu.");
          return;
        }
        const { data, error, response } = await api.PATCH("/v1/conferences/{conference_id}", {
          params: { path: { conference_id: conference.id }, header: etag ? { "If-Match": etag } : undefined },
          body: changes });
        if (data) onSaved(data, response.headers.get("ETag"));
        else if (response.status === 412) onStale();
        else setProblem(asProblem(error, response));
      }
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  const recipientsErr = Object.entries(errs).filter(([f]) => f === "recipients").map(([, m]) => m).join(" ") || undefined;
  if (recipientsErr) shown.add("recipients");
  const choices = [...(periods ?? []).map((p) => ({ code: p.period, label: p.label, current: p.current }))];
  for (const code of d.periods) {
    if (!choices.some((c) => c.code === code)) choices.push({ code, label: periodName(code), current: false });
  }
  const togglePeriod = (code: string, on: boolean) =>
    set({ periods: on ? [...d.periods, code].sort() : d.periods.filter((p) => p !== code) });

  // Rendered before the summary notice below is built, so `shown` knows which errors sit at their fields.
  const body = (
    <>
      <fieldset class="card">
        <legend>Thông tin hội nghị</legend>
        <Field id="c-title" label="Tên hội nghị" error={err("title")}>
          {(db, inv) => <input id="c-title" value={d.title} maxLength={300} aria-describedby={db} aria-invalid={inv}
                               onInput={(e) => set({ title: e.currentTarget.value })} />}
        </Field>
        <div class="columns">
          <Field id="c-date" label="Ngày họp" error={err("date")}>
            {(db, inv) => <input id="c-date" type="date" value={d.date} aria-describedby={db} aria-invalid={inv}
                                 onInput={(e) => set({ date: e.currentTarget.value })} />}
          </Field>
          <Field id="c-place" label="Địa điểm" error={err("place")}>
            {(db, inv) => <input id="c-place" value={d.place} maxLength={200} aria-describedby={db} aria-invalid={inv}
                                 onInput={(e) => set({ place: e.currentTarget.value })} />}
          </Field>
        </div>
        <Field id="c-deadline" label="Hạn gửi đề nghị" error={err("nomination_deadline")}
               hint="Giờ Hà Nội. Quá hạn này, đơn vị không gửi hay sửa đề nghị khen thưởng được nữa; để trống: không đặt hạn.">
          {(db, inv) => <input id="c-deadline" type="datetime-local" value={d.deadline} disabled={locked} aria-describedby={db} aria-invalid={inv}
                               onInput={(e) => set({ deadline: e.currentTarget.value })} />}
        </Field>
      </fieldset>

      <fieldset class="card" disabled={locked} aria-describedby={err("periods") ? "c-periods-error" : undefined}>
        <legend>Các kỳ báo cáo</legend>
        <p class="hint">Số liệu của các kỳ được chọn đi vào báo cáo tổng hợp (các kỳ cùng loại).</p>
        {periodsError && <Notice kind="error">{periodsError}</Notice>}
        {!periods && !periodsError && <p class="loading" role="status">Đang tải các kỳ…</p>}
        <div class="checks">
          {choices.map((c) => (
            <label key={c.code} class="check">
              <input type="checkbox" checked={d.periods.includes(c.code)}
                     onChange={(e) => togglePeriod(c.code, e.currentTarget.checked)} />
              <span class="period">{c.label}{c.current && <span class="note"> (kỳ hiện tại)</span>}</span>
            </label>
          ))}
        </div>
        {err("periods") && <p class="error" id="c-periods-error" role="alert">{err("periods")}</p>}
      </fieldset>

      <fieldset class="card" disabled={locked} aria-describedby={err("unit_ids") ? "c-units-error" : undefined}>
        <legend>Đơn vị trong phạm vi</legend>
        <label class="check">
          <input type="radio" name="c-scope" checked={d.everyUnit} onChange={() => set({ everyUnit: true })} />
          Mọi đơn vị
        </label>
        <label class="check">
          <input type="radio" name="c-scope" checked={!d.everyUnit} onChange={() => set({ everyUnit: false })} />
          Chỉ các đơn vị được chọn (kèm các đơn vị cấp dưới)
        </label>
        {!d.everyUnit && (
          <>
            {d.unitIds.length > 0 && (
              <ul class="plain chosen">
                {d.unitIds.map((u) => (
                  <li key={u}>
                    <span>{units.name(u)}</span>
                    <button type="button" class="button button--small button--secondary"
                            onClick={() => set({ unitIds: d.unitIds.filter((x) => x !== u) })}>
                      Bỏ<span class="sr-only"> {units.name(u)} khỏi phạm vi</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <div class="add-row">
              <div class="field">
                <label for="c-unit-add">Thêm đơn vị vào phạm vi</label>
                <UnitSelect id="c-unit-add" value={addUnit} onChange={setAddUnit} empty="— Chọn đơn vị —"
                            exclude={new Set(d.unitIds)} />
              </div>
              <button type="button" class="button button--secondary" disabled={!addUnit} onClick={() => {
                set({ unitIds: [...d.unitIds, addUnit] });
                setAddUnit("");
              }}>Thêm đơn vị</button>
            </div>
          </>
        )}
        {err("unit_ids") && <p class="error" id="c-units-error" role="alert">{err("unit_ids")}</p>}
      </fieldset>

      <fieldset class="card">
        <legend>Người nhận văn bản</legend>
        <p class="hint">Mỗi người nhận một thư kèm các văn bản tổng hợp, mỗi phiên bản đúng một lần.</p>
        {d.recipients.map((r, i) => (
          <div class="recipient" key={i}>
            <Field id={`c-r${i}-name`} label={<>Họ tên<span class="sr-only"> người nhận {i + 1}</span></>}
                   error={rowErr(i, "name")}>
              {(db, inv) => <input id={`c-r${i}-name`} value={r.name} maxLength={200} autoComplete="off"
                                   aria-describedby={db} aria-invalid={inv}
                                   onInput={(e) => set({ recipients: d.recipients.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)) })} />}
            </Field>
            <Field id={`c-r${i}-email`} label={<>Thư điện tử<span class="sr-only"> người nhận {i + 1}</span></>}
                   error={rowErr(i, "email")}>
              {(db, inv) => <input id={`c-r${i}-email`} type="email" value={r.email} maxLength={320} autoComplete="off"
                                   aria-describedby={db} aria-invalid={inv}
                                   onInput={(e) => set({ recipients: d.recipients.map((x, j) => (j === i ? { ...x, email: e.currentTarget.value } : x)) })} />}
            </Field>
            <button type="button" class="button button--small button--secondary"
                    onClick={() => {
                      set({ recipients: d.recipients.filter((_, j) => j !== i) });
                      setRows([]); // the rows moved: the API's row numbers no longer match them
                    }}>
              Bỏ<span class="sr-only"> người nhận {i + 1}</span>
            </button>
          </div>
        ))}
        {recipientsErr && <p class="error" role="alert">{recipientsErr}</p>}
        <button type="button" class="button button--secondary"
                onClick={() => set({ recipients: [...d.recipients, { name: "", email: "" }] })}>Thêm người nhận</button>
      </fieldset>

      <fieldset class="card" disabled={locked}>
        <legend>Chỉ tiêu khen thưởng</legend>
        <p class="hint">Số đề nghị tối đa được đồng ý cho mỗi hình thức; để trống: không giao chỉ tiêu.</p>
        {formsError && <Notice kind="error">{formsError}</Notice>}
        {!forms && !formsError && <p class="loading" role="status">Đang tải danh mục khen thưởng…</p>}
        <div class="columns">
          {forms?.map((f) => (
            <Field key={f.code} id={`c-q-${f.code}`} label={f.name} error={err(`quotas.${f.code}`)}>
              {(db, inv) => <input id={`c-q-${f.code}`} inputMode="numeric" value={d.quotas[f.code] ?? ""}
                                   aria-describedby={db} aria-invalid={inv}
                                   onInput={(e) => set({ quotas: { ...d.quotas, [f.code]: e.currentTarget.value } })} />}
            </Field>
          ))}
        </div>
        {err("quotas") && <p class="error" role="alert">{err("quotas")}</p>}
      </fieldset>

      <fieldset class="card">
        <legend>Người ký</legend>
        <div class="columns">
          <Field id="c-signer-title" label="Chức vụ người ký" error={err("signer.title")}
                 hint="Người ký báo cáo và quyết định của Bộ; hai dòng, ví dụ KT. BỘ TRƯỞNG / THỨ TRƯỞNG.">
            {(db, inv) => <textarea id="c-signer-title" rows={2} value={d.signerTitle} aria-describedby={db} aria-invalid={inv}
                                    onInput={(e) => set({ signerTitle: e.currentTarget.value })} />}
          </Field>
          <Field id="c-signer-name" label="Họ tên người ký" error={[err("signer.name"), only("signer")].filter(Boolean).join(" ") || undefined}
                 hint="Cấp bậc và họ tên, ví dụ Thượng tướng Nguyễn Văn A.">
            {(db, inv) => <input id="c-signer-name" value={d.signerName} maxLength={200} aria-describedby={db} aria-invalid={inv}
                                 onInput={(e) => set({ signerName: e.currentTarget.value })} />}
          </Field>
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>Văn bản</legend>
        {/* Header, symbol and signer of each document come from its issuing body's record (issue 18): the old
            agency and symbol fields are kept by the API for old clients, not offered here. */}
        <p class="hint">Cơ quan ban hành, ký hiệu và người ký của từng văn bản theo danh mục cơ quan ban hành: báo cáo và
          quyết định tặng Cờ thi đua, Bằng khen do Bộ Công an ban hành (BC-BCA, QĐ-BCA, người ký ở mục trên); tờ trình do
          Văn phòng Bộ Công an; quyết định tặng Giấy khen do đơn vị trực tiếp thuộc Bộ của người được khen.</p>
        <Field id="c-report-title" label="Trích yếu" error={err("report_title")} hint="Để trống: “Tổng hợp kết quả …”.">
          {(db, inv) => <input id="c-report-title" value={d.reportTitle} maxLength={300} aria-describedby={db} aria-invalid={inv}
                               onInput={(e) => set({ reportTitle: e.currentTarget.value })} />}
        </Field>
        <Field id="c-distribution" label="Nơi nhận" error={err("distribution")}
               hint="Mỗi dòng một nơi nhận in trên văn bản; để trống: lấy tên người nhận văn bản.">
          {(db, inv) => <textarea id="c-distribution" rows={3} value={d.distribution} aria-describedby={db} aria-invalid={inv}
                                  onInput={(e) => set({ distribution: e.currentTarget.value })} />}
        </Field>
        <label class="check">
          <input type="checkbox" checked={d.annex} aria-describedby="c-annex-hint"
                 onChange={(e) => set({ annex: e.currentTarget.checked })} />
          Phụ lục
        </label>
        <p class="hint" id="c-annex-hint">Kèm phụ lục kết quả nổi bật của từng đơn vị theo từng kỳ.</p>
        {err("annex") && <p class="error" role="alert">{err("annex")}</p>}
        <Field id="c-levels" label="Cấp đơn vị trong báo cáo" error={err("summary_levels")}
               hint="Báo cáo liệt kê các đơn vị đến cấp này, mỗi đơn vị cộng cả số liệu cấp dưới.">
          {(db, inv) => (
            <select id="c-levels" value={d.summaryLevels} aria-describedby={db} aria-invalid={inv}
                    onChange={(e) => set({ summaryLevels: e.currentTarget.value })}>
              <option value="1">Các đơn vị trực thuộc Bộ</option>
              <option value="2">Đến cấp huyện</option>
              <option value="3">Đến cấp xã</option>
              <option value="4">Bốn cấp</option>
            </select>
          )}
        </Field>
        {d.summaryDetail.length > 0 && (
          <ul class="plain chosen" aria-label="Đơn vị có phụ lục số liệu chi tiết">
            {d.summaryDetail.map((u) => (
              <li key={u}>
                <span>{units.name(u)}</span>
                <button type="button" class="button button--small button--secondary"
                        onClick={() => set({ summaryDetail: d.summaryDetail.filter((x) => x !== u) })}>
                  Bỏ<span class="sr-only"> phụ lục chi tiết của {units.name(u)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="add-row">
          <div class="field">
            <label for="c-detail-add">Phụ lục số liệu chi tiết của đơn vị</label>
            <UnitSelect id="c-detail-add" value={addDetail} onChange={setAddDetail} empty="— Chọn đơn vị —"
                        exclude={new Set(d.summaryDetail)} />
          </div>
          <button type="button" class="button button--secondary" disabled={!addDetail} onClick={() => {
            set({ summaryDetail: [...d.summaryDetail, addDetail] });
            setAddDetail("");
          }}>Thêm phụ lục</button>
        </div>
        {err("summary_detail") && <p class="error" role="alert">{err("summary_detail")}</p>}
      </fieldset>
    </>
  );

  const others = Object.entries(errs).filter(([f]) => !shown.has(f));
  return (
    <form class="conference-form" onSubmit={save} noValidate aria-label={conference ? "Sửa hội nghị" : "Tạo hội nghị"}>
      {locked && (
        <Notice kind="info">
          Danh sách khen thưởng đã chốt: không đổi được các kỳ báo cáo, đơn vị trong phạm vi, chỉ tiêu và hạn gửi đề nghị.
          Các mục khác vẫn sửa được.
        </Notice>
      )}
      {body}
      {problem && (
        <Notice kind="error">
          {problem.errors?.length ? `${problem.detail ? `${problem.detail} ` : ""}Hãy sửa các mục được đánh dấu đỏ ở trên.`
            : describe(problem)}
          {others.length > 0 && <ul>{others.map(([f, m]) => <li key={f}>{f}: {m}</li>)}</ul>}
        </Notice>
      )}
      {message && !problem && <Notice kind={message.kind}>{message.text}</Notice>}
      {note && <Notice kind="info">{note}</Notice>}
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>{busy ? "Đang lưu…" : "Lưu hội nghị"}</button>
      </div>
    </form>
  );
}
