import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors, newKey } from "../api/client";
import type { Problem } from "../api/types";
import type { components } from "../api/schema";
import { countdown, date, dateTime, num } from "../lib/format";
import { Field, Heading, Loading, Notice } from "../ui";
import { learn, UnitChoice, UnitSelect, type Unit, type UnitLike, type UnitSearch } from "../components/units";

type Nomination = components["schemas"]["Nomination"];
type AwardForm = components["schemas"]["AwardForm"];
type Conference = components["schemas"]["UnitConference"];
type Kind = "collective" | "individual";
/** A collective is a unit of the tree (picked from the subtree) or a named team within a unit. */
type Collective = "unit" | "team";

const STATUS: Record<string, string> = {
  pending: "Đang chờ xét", approved: "Được chấp thuận", rejected: "Không được chấp thuận", held: "Tạm hoãn",
};
const KIND: Record<Kind, string> = { collective: "Tập thể", individual: "Cá nhân" };
/** Units of a subtree the form lists in a select; a larger subtree is searched as the person types. */
const LIST_AT_MOST = 300;

/** Why a nomination to `c` can no longer be saved, or null while it can (the server says so too, 423). */
function closedReason(c: Conference, now: number = Date.now()): string | null {
  const deadline = c.nomination_deadline;
  if (deadline && countdown(deadline, now).overdue) {
    return `Đã hết hạn gửi đề nghị khen thưởng cho hội nghị này (hạn ${dateTime(deadline)}). Không thể lưu đề nghị.`;
  }
  // closed by the server's clock or a finalised list
  return c.open ? null : "Hội nghị này không còn nhận đề nghị khen thưởng (đã hết hạn hoặc đã chốt danh sách). "
    + "Không thể lưu đề nghị.";
}

/** "Hạn gửi đề nghị: 25/08/2021 17:00 (còn 3 ngày 7 giờ)", the countdown as on the home screen. */
function Deadline({ c }: { c: Conference }) {
  if (!c.nomination_deadline) return <>Không có hạn gửi đề nghị</>;
  const left = countdown(c.nomination_deadline);
  return (
    <>
      Hạn gửi đề nghị: <time dateTime={c.nomination_deadline}>{dateTime(c.nomination_deadline)}</time>
      <span class={`countdown${left.overdue ? " countdown--over" : left.soon ? " countdown--soon" : ""}`}> ({left.text})</span>
    </>
  );
}

interface FormState {
  id: string | null; etag: string | null; key: string;
  award_form: string; kind: Kind; name: string; position: string; achievements: string; conference_id: string;
  officer_number: string; birth_date: string; collective: Collective; nominee_unit_id: string;
}

const blank = (): FormState => ({
  id: null, etag: null, key: newKey(), award_form: "", kind: "collective", name: "", position: "", achievements: "",
  conference_id: "", officer_number: "", birth_date: "", collective: "unit", nominee_unit_id: "",
});

export default function Nominations({ unitId }: { unitId: string }) {
  const [items, setItems] = useState<Nomination[] | null>(null);
  const [forms, setForms] = useState<AwardForm[]>([]);
  const [conferences, setConferences] = useState<Conference[] | null>(null); // null: not loaded (yet)
  const [confError, setConfError] = useState(false);
  const [, tick] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<FormState | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = () =>
    api.GET("/v1/units/{unit_id}/nominations", { params: { path: { unit_id: unitId }, query: { limit: 100 } } }).then(
      ({ data, error: e, response }) => (data ? setItems(data.items) : setError(describe(asProblem(e, response)))),
      () => setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng."),
    );

  useEffect(() => {
    void load();
    api.GET("/v1/award-forms").then(({ data }) => setForms(data?.items ?? []), () => undefined);
    api.GET("/v1/units/{unit_id}/conferences", { params: { path: { unit_id: unitId } } }).then(
      ({ data }) => (data ? setConferences(data.items) : setConfError(true)), () => setConfError(true));
    const timer = setInterval(() => tick((n) => n + 1), 60_000); // the countdowns move
    return () => clearInterval(timer);
  }, [unitId]);

  const formName = (code: string) => forms.find((f) => f.code === code)?.name ?? code;
  const conference = (id: string) => conferences?.find((c) => c.id === id);

  async function edit(n: Nomination) {
    setNotice(null);
    const { data, response } = await api.GET("/v1/nominations/{nomination_id}", { params: { path: { nomination_id: n.id } } });
    const cur = data ?? n;
    setEditing({
      id: cur.id, etag: response.headers.get("ETag"), key: newKey(), award_form: cur.award_form, kind: cur.kind,
      name: cur.name, position: cur.position, achievements: cur.achievements, conference_id: cur.conference_id,
      officer_number: cur.officer_number ?? "", birth_date: cur.birth_date ?? "",
      collective: cur.team ? "team" : "unit", nominee_unit_id: cur.nominee_unit_id,
    });
  }

  return (
    <section>
      <Heading>Đề nghị khen thưởng</Heading>
      {notice && <Notice kind="ok">{notice}</Notice>}
      {!editing && (
        <div class="actions">
          <button type="button" class="button" onClick={() => {
            setNotice(null);
            setEditing(blank());
          }}>Tạo đề nghị</button>
        </div>
      )}
      {editing && (
        <NominationForm unitId={unitId} state={editing} forms={forms} conferences={conferences}
          onCancel={() => setEditing(null)}
          onSaved={(text) => {
            setEditing(null);
            setNotice(text);
            void load();
          }} />
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {confError && !error && (
        <Notice kind="error">Không tải được danh sách hội nghị, nên chưa tạo được đề nghị mới. Kiểm tra kết nối mạng rồi tải lại trang.</Notice>
      )}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p>Đơn vị chưa có đề nghị khen thưởng nào.</p>}
      {items && items.length > 0 && (
        <ul class="cards">
          {items.map((n) => {
            const conf = conference(n.conference_id);
            return (
              <li key={n.id} class="card">
                <h2 class="card__title">{n.name}</h2>
                <p>{KIND[n.kind]}{n.position ? ` · ${n.position}` : ""} · {formName(n.award_form)}</p>
                <p>Hội nghị: {conf ? `${conf.title} (${date(conf.date)})` : n.conference_id}
                  {conf && <> · <Deadline c={conf} /></>}</p>
                <p>Trạng thái: <span class={`state state--nom-${n.status}`}>{STATUS[n.status] ?? n.status}</span></p>
                {n.decision && (
                  <p class="decision"><strong>Ý kiến quyết định</strong> ({dateTime(n.decision.at)}): {n.decision.note || "—"}</p>
                )}
                {Object.keys(n.figures).length > 0 && (
                  <p class="hint">Số liệu: {Object.entries(n.figures).map(([k, v]) => `${k}: ${num(v)}`).join("; ")}</p>
                )}
                {n.status === "pending" && (
                  <button type="button" class="button button--small button--secondary" onClick={() => void edit(n)}>
                    Sửa<span class="sr-only"> đề nghị «{n.name}»</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function NominationForm({ unitId, state, forms, conferences, onCancel, onSaved }: {
  unitId: string; state: FormState; forms: AwardForm[]; conferences: Conference[] | null;
  onCancel: () => void; onSaved: (text: string) => void;
}) {
  const [f, setF] = useState(state);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [subtree, setSubtree] = useState<UnitLike[] | null>(null);
  const [subtreeError, setSubtreeError] = useState<string | null>(null);
  // A subtree too large for one answer (the ministry's 11,000 units), or for a list a person scrolls,
  // is searched as the person types, not listed
  const [searchable, setSearchable] = useState(false);
  useEffect(() => {
    api.GET("/v1/units/{unit_id}/nominee-units", { params: { path: { unit_id: unitId } } }).then(
      ({ data }) => {
        if (!data) return setSubtreeError("Không tải được danh sách đơn vị cấp dưới.");
        setSubtree(data.items);
        setSearchable(!!data.next || data.items.length > LIST_AT_MOST);
        learn(data.items.map((u) => ({ ...u, ancestors: null }) as Unit));
      },
      () => setSubtreeError("Không tải được danh sách đơn vị cấp dưới. Kiểm tra kết nối mạng."));
  }, [unitId]);
  const searchSubtree: UnitSearch = async (q, limit) => {
    const { data, error, response } = await api.GET("/v1/units/{unit_id}/nominee-units", {
      params: { path: { unit_id: unitId }, query: { q, limit } } });
    if (!data) throw new Error(describe(asProblem(error, response)));
    return { items: data.items.map((u) => ({ ...u, ancestors: null }) as Unit), total: data.total ?? data.items.length };
  };
  const found = useRef(new Map<string, UnitLike>()).current;  // what a search offered, for pickUnit
  const errs = fieldErrors(problem);
  // 409: this nominee is already proposed for the form; said next to who the nominee is
  const duplicate = problem?.status === 409 ? problem.detail ?? "Đối tượng này đã được đề nghị hình thức này." : undefined;
  const isUnit = f.kind === "collective" && f.collective === "unit";
  const set = (change: Partial<FormState>) => setF({ ...f, ...change });
  const available = forms.filter((a) => a.for.includes(f.kind));
  const chosen = conferences?.find((c) => c.id === f.conference_id) ?? null;
  // An edited nomination's conference may be over already (the list has upcoming ones only): it stays shown.
  const options = conferences && f.conference_id && !chosen
    ? [...conferences, { id: f.conference_id, title: f.conference_id } as Conference] : conferences ?? [];
  const closed = chosen ? closedReason(chosen) : null;
  const quotaForms = (chosen?.award_forms ?? []).map((code) => forms.find((a) => a.code === code)?.name ?? code);

  async function save(e: Event) {
    e.preventDefault();
    if (closed) { // refused before sending: the notice says why
      document.getElementById("n-closed")?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const individual = f.kind === "individual";
      const body = {
        award_form: f.award_form, kind: f.kind, name: f.name.trim(), position: f.position.trim(),
        achievements: f.achievements.trim(),
        officer_number: individual ? f.officer_number.trim() || null : null,
        birth_date: individual ? f.birth_date || null : null,
        ...(individual ? {} : { team: f.collective === "team" }),
        ...(f.nominee_unit_id ? { nominee_unit_id: f.nominee_unit_id } : {}),
      };
      const result = f.id
        ? await api.PATCH("/v1/nominations/{nomination_id}", {
          params: { path: { nomination_id: f.id }, header: { "If-Match": f.etag ?? "" } }, body,
        })
        : await api.POST("/v1/units/{unit_id}/nominations", {
          params: { path: { unit_id: unitId } }, headers: { "Idempotency-Key": f.key },
          body: { ...body, conference_id: f.conference_id },
        });
      if (result.data) {
        onSaved(f.id ? "Đã lưu thay đổi của đề nghị." : "Đã lưu đề nghị.");
        return;
      }
      const p = asProblem(result.error, result.response);
      setProblem(p.status === 412
        ? { ...p, detail: "Đề nghị đã được cập nhật sau khi bạn mở. Hãy đóng biểu mẫu và mở lại để xem bản mới nhất." }
        : p);
      if (!f.id) set({ key: newKey() }); // answered: a corrected one is a new request
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  const general = problem && problem.status !== 409 && (problem.status !== 422 || !Object.keys(errs).length);
  const pickUnit = (id: string) => {
    const unit = subtree?.find((u) => u.id === id) ?? found.get(id);
    // a unit of the tree is nominated under its own name (still editable)
    set(isUnit && unit ? { nominee_unit_id: id, name: unit.name } : { nominee_unit_id: id });
  };
  return (
    <form class="card card--form" onSubmit={save}>
      <h2>{f.id ? "Sửa đề nghị" : "Đề nghị mới"}</h2>
      <Field id="n-conference" label="Hội nghị" error={errs.conference_id}>
        {(d, inv) => (
          <>
            <select id="n-conference" required disabled={!!f.id || !conferences} value={f.conference_id}
                    aria-describedby={chosen ? `${d ?? ""} n-conference-deadline`.trim() : d} aria-invalid={inv || !!closed}
                    onChange={(e) => {
                      setProblem(null);
                      set({ conference_id: e.currentTarget.value });
                    }}>
              <option value="">{conferences ? "— Chọn hội nghị —" : "Đang tải danh sách hội nghị…"}</option>
              {options.map((c) => (
                <option key={c.id} value={c.id}>{c.date ? `${c.title} (${date(c.date)})` : c.title}</option>
              ))}
            </select>
            {chosen && (
              <p class="hint hint--after" id="n-conference-deadline">
                <Deadline c={chosen} />
                {quotaForms.length > 0 && <><br />Hình thức có chỉ tiêu: {quotaForms.join(", ")}</>}
              </p>
            )}
          </>
        )}
      </Field>
      {conferences && conferences.length === 0 && !f.id && (
        <Notice kind="warn">Hiện chưa có hội nghị nào nhận đề nghị khen thưởng của đơn vị.</Notice>
      )}
      {closed && <div id="n-closed" tabIndex={-1}><Notice kind="error">{closed}</Notice></div>}
      <Field id="n-kind" label="Loại" error={errs.kind}>
        {(d) => (
          <select id="n-kind" value={f.kind} aria-describedby={d}
                  onChange={(e) => {
                    setProblem(null);
                    set({ kind: e.currentTarget.value as Kind, award_form: "" });
                  }}>
            <option value="collective">Tập thể</option>
            <option value="individual">Cá nhân</option>
          </select>
        )}
      </Field>
      <Field id="n-form" label="Hình thức khen thưởng" error={errs.award_form}>
        {(d, inv) => (
          <select id="n-form" required value={f.award_form} aria-describedby={d} aria-invalid={inv}
                  onChange={(e) => set({ award_form: e.currentTarget.value })}>
            <option value="">— Chọn hình thức —</option>
            {available.map((a) => <option key={a.code} value={a.code}>{a.name}</option>)}
          </select>
        )}
      </Field>
      {f.kind === "collective" && (
        <fieldset class="field">
          <legend>Tập thể được đề nghị là</legend>
          <label class="check"><input type="radio" name="n-collective" value="unit" checked={f.collective === "unit"}
                        onChange={() => set({ collective: "unit" })} /> Một đơn vị (đơn vị mình hoặc đơn vị cấp dưới)</label>
          <label class="check"><input type="radio" name="n-collective" value="team" checked={f.collective === "team"}
                        onChange={() => set({ collective: "team" })} /> Một tổ, đội, nhóm trong đơn vị</label>
        </fieldset>
      )}
      <Field id="n-unit" label={f.kind === "individual" ? "Đơn vị công tác" : isUnit ? "Đơn vị được đề nghị" : "Tổ, đội, nhóm thuộc đơn vị"}
             hint={f.kind === "individual" ? "Đơn vị của người được đề nghị; để trống: chính đơn vị đề nghị."
               : isUnit ? "Điểm tự động được tính theo số liệu của đơn vị này và các đơn vị cấp dưới." : undefined}
             error={errs.nominee_unit_id ?? errs.team}>
        {(d) => searchable
          ? <UnitSelect id="n-unit" value={f.nominee_unit_id} onChange={pickUnit} describedBy={d}
                        empty={isUnit ? "— Chọn đơn vị —" : "— Đơn vị đề nghị —"}
                        search={async (q, limit) => {
                          const got = await searchSubtree(q, limit);
                          got.items.forEach((u) => found.set(u.id, u));
                          return got;
                        }} />
          : <UnitChoice id="n-unit" value={f.nominee_unit_id} onChange={pickUnit} describedBy={d}
                        empty={isUnit ? "— Chọn đơn vị —" : "— Đơn vị đề nghị —"} units={subtree} error={subtreeError} />}
      </Field>
      <Field id="n-name" label="Tên" hint={f.kind === "individual" ? "Họ và tên người được đề nghị." : isUnit ? "Tên đơn vị được đề nghị." : "Tên tổ, đội, nhóm được đề nghị."} error={errs.name ?? (f.officer_number.trim() && f.kind === "individual" ? undefined : duplicate)}>
        {(d, inv) => <input id="n-name" required maxLength={200} value={f.name} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => set({ name: e.currentTarget.value })} />}
      </Field>
      {f.kind === "individual" && (
        <>
          <Field id="n-officer" label="Số hiệu cán bộ" hint="Số hiệu (3–20 chữ, số, dấu «-»): phân biệt hai người trùng họ tên." error={errs.officer_number ?? (f.officer_number.trim() ? duplicate : undefined)}>
            {(d, inv) => <input id="n-officer" maxLength={20} pattern="[0-9A-Za-z\-]{3,20}" value={f.officer_number}
                                aria-describedby={d} aria-invalid={inv} onInput={(e) => set({ officer_number: e.currentTarget.value })} />}
          </Field>
          <Field id="n-birth" label="Ngày sinh" hint="Dùng để phân biệt khi không có số hiệu cán bộ." error={errs.birth_date}>
            {(d, inv) => <input id="n-birth" type="date" value={f.birth_date} aria-describedby={d} aria-invalid={inv}
                                onInput={(e) => set({ birth_date: e.currentTarget.value })} />}
          </Field>
        </>
      )}
      <Field id="n-position" label="Chức vụ" hint="Cấp bậc, chức vụ (cá nhân), ví dụ «Đại tá, Giám đốc»." error={errs.position}>
        {(d, inv) => <input id="n-position" maxLength={200} value={f.position} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => set({ position: e.currentTarget.value })} />}
      </Field>
      <Field id="n-achievements" label="Thành tích" error={errs.achievements}>
        {(d, inv) => (
          <>
            <textarea id="n-achievements" required rows={6} maxLength={20000} value={f.achievements}
                      aria-describedby={`${d ?? ""} n-count`.trim()} aria-invalid={inv}
                      onInput={(e) => set({ achievements: e.currentTarget.value })} />
            <p class="count" id="n-count">{num(f.achievements.length)}/{num(20000)} ký tự</p>
          </>
        )}
      </Field>
      {general && problem && <Notice kind="error">{problem.status === 423
        ? `Không thể lưu: ${problem.detail ?? "đã hết hạn hoặc đã chốt danh sách."}` : describe(problem)}</Notice>}
      <div class="actions">
        <button type="submit" class="button" disabled={busy} aria-disabled={!!closed}>Lưu đề nghị</button>
        <button type="button" class="button button--secondary" onClick={onCancel}>Hủy</button>
      </div>
    </form>
  );
}
