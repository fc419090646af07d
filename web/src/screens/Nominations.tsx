import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe, fieldErrors, newKey } from "../api/client";
import type { Problem } from "../api/types";
import type { components } from "../api/schema";
import { countdown, date, dateTime, num } from "../lib/format";
import { Field, Heading, Loading, Notice } from "../ui";

type Nomination = components["schemas"]["Nomination"];
type AwardForm = components["schemas"]["AwardForm"];
type Conference = components["schemas"]["UnitConference"];
type Kind = "collective" | "individual";

const STATUS: Record<string, string> = {
  pending: "Đang chờ xét", approved: "Được chấp thuận", rejected: "Không được chấp thuận", held: "Tạm hoãn",
};
const KIND: Record<Kind, string> = { collective: "Tập thể", individual: "Cá nhân" };

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
}

const blank = (): FormState => ({
  id: null, etag: null, key: newKey(), award_form: "", kind: "collective", name: "", position: "", achievements: "",
  conference_id: "",
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
  const errs = fieldErrors(problem);
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
      const body = {
        award_form: f.award_form, kind: f.kind, name: f.name.trim(), position: f.position.trim(),
        achievements: f.achievements.trim(),
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

  const general = problem && (problem.status !== 422 || !Object.keys(errs).length);
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
                  onChange={(e) => set({ kind: e.currentTarget.value as Kind, award_form: "" })}>
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
      <Field id="n-name" label="Tên" hint={f.kind === "individual" ? "Họ và tên người được đề nghị." : "Tên tập thể được đề nghị."} error={errs.name}>
        {(d, inv) => <input id="n-name" required maxLength={200} value={f.name} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => set({ name: e.currentTarget.value })} />}
      </Field>
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
