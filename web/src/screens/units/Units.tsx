/** Đơn vị (#/don-vi): the ministry's unit tree; add a unit, edit one (rename, move, kind, contact emails). */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe, newKey } from "../../api/client";
import type { Problem } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { forgetUnits, subtreeOf, UnitSelect, useUnits, type Unit } from "../../components/units";
import { Field, Heading, Loading, Notice } from "../../ui";
import { emailLines, EMAIL_RE, fold, formErrors, KIND_TEXT, KINDS, OFFLINE, suggestId, UNIT_ID_RE, type UnitKind } from "./common";
import "./people.css";

/** Above this many units the tree opens collapsed below the first level (11,000 rows are no reading). */
const OPEN_ALL_UP_TO = 300;

type Message = { kind: "ok" | "error"; text: string };

export default function Units(_props: Record<string, never>) {
  const { units, error, reload, name } = useUnits();
  // null: the add form is closed; otherwise the parent it starts with ("" for none).
  const [adding, setAdding] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  // Remounted after a change, so every picker on the screen reads the units again.
  const [round, setRound] = useState(0);

  function changed(text: string) {
    setMessage({ kind: "ok", text });
    forgetUnits();
    reload();
    setRound((n) => n + 1);
  }

  return (
    <section>
      <Heading>Đơn vị</Heading>
      <p class="lead">Cây đơn vị của Bộ: thêm đơn vị, đổi tên, chuyển sang đơn vị cấp trên khác và sửa thư điện tử liên hệ.</p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {adding !== null
        ? <AddUnit key={`add-${round}-${adding}`} parent={adding} onDone={(u) => {
            setAdding(null);
            if (u) changed(`Đã thêm đơn vị ${u.name}.`);
          }} />
        : <div class="actions">
            <button type="button" class="button" onClick={() => {
              setMessage(null);
              setAdding("");
            }}>Thêm đơn vị</button>
          </div>}
      <h2>Cây đơn vị</h2>
      {error && <Notice kind="error">{error}</Notice>}
      {!units && !error && <Loading />}
      {units && <Tree units={units} onEdit={(id) => {
        setMessage(null);
        setAdding(null);
        setEditing(id);
      }} />}
      <Dialog title={editing ? `Sửa đơn vị: ${name(editing)}` : "Sửa đơn vị"} open={editing !== null} onClose={() => setEditing(null)}>
        {editing && <EditUnit key={`${editing}-${round}`} unitId={editing} onSaved={(u) => {
          setEditing(null);
          changed(`Đã lưu đơn vị ${u.name}.`);
        }} onAddChild={(parent) => {
          setEditing(null);
          setAdding(parent);
        }} onStale={() => {
          forgetUnits();
          reload();
        }} />}
      </Dialog>
    </section>
  );
}

// -- the tree ----------------------------------------------------------------------------------

function Tree({ units, onEdit }: { units: Unit[]; onEdit: (id: string) => void }) {
  const byId = new Map(units.map((u) => [u.id, u]));
  const children = new Map<string | null, Unit[]>();
  for (const u of units) {  // units come sorted by name (Vietnamese order), so siblings are too
    const parent = u.parent_id && byId.has(u.parent_id) ? u.parent_id : null;
    const list = children.get(parent);
    if (list) list.push(u);
    else children.set(parent, [u]);
  }
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState<"default" | "all" | "none">("default");
  const [toggled, setToggled] = useState<Set<string>>(new Set());
  const toggle = (id: string) => setToggled((old) => {
    const next = new Set(old);
    if (!next.delete(id)) next.add(id);
    return next;
  });
  const everything = (m: "all" | "none") => {
    setMode(m);
    setToggled(new Set());
  };

  // A search shows the units whose name or code matches, with the units above them, all open.
  const wanted = fold(query.trim());
  let shown: Set<string> | null = null;
  let found = 0;
  if (wanted) {
    shown = new Set();
    for (const u of units) {
      if (!fold(u.name).includes(wanted) && !u.id.includes(wanted)) continue;
      found += 1;
      for (let at: Unit | undefined = u; at && !shown.has(at.id); at = at.parent_id ? byId.get(at.parent_id) : undefined) {
        shown.add(at.id);
      }
    }
  }
  const base = (depth: number) => mode === "all" || (mode === "default" && (units.length <= OPEN_ALL_UP_TO || depth < 1));

  const seen = new Set<string>();  // a cycle the table should never hold still cannot loop here
  const branch = (parent: string | null, depth: number) => {
    const below = (children.get(parent) ?? []).filter((u) => !seen.has(u.id) && (!shown || shown.has(u.id)));
    below.forEach((u) => seen.add(u.id));
    if (!below.length) return null;
    return (
      <ul class={depth ? "tree__branch" : "tree"}>
        {below.map((u) => {
          const kids = children.get(u.id)?.length ?? 0;
          const open = shown ? true : base(depth) !== toggled.has(u.id);
          return (
            <li key={u.id}>
              <div class="tree__row">
                {kids > 0 && !shown
                  ? <button type="button" class="tree__toggle" aria-expanded={open} onClick={() => toggle(u.id)}
                            aria-label={`${open ? "Thu gọn" : "Mở rộng"} ${u.name} (${kids} đơn vị cấp dưới)`}>
                      <span aria-hidden="true">{open ? "▾" : "▸"}</span>
                    </button>
                  : <span class="tree__leaf" aria-hidden="true" />}
                <div class="tree__body">
                  <span class="tree__name">{u.name}</span>
                  <span class="tree__meta">
                    <code>{u.id}</code> · {KIND_TEXT[u.kind as UnitKind] ?? u.kind}
                    {kids > 0 && ` · ${kids} đơn vị cấp dưới`}
                  </span>
                  <span class="tree__emails">
                    {u.emails.length ? u.emails.join(", ") : "Chưa có thư điện tử liên hệ"}
                  </span>
                </div>
                <button type="button" class="button button--small button--secondary" onClick={() => onEdit(u.id)}>
                  Sửa<span class="sr-only"> {u.name}</span>
                </button>
              </div>
              {open && branch(u.id, depth + 1)}
            </li>
          );
        })}
      </ul>
    );
  };
  if (!units.length) return <p>Chưa có đơn vị nào. Hãy thêm đơn vị đầu tiên (Bộ).</p>;
  const collapsible = children.size > 1;
  return (
    <>
      <div class="filters">
        <Field id="u-search" label="Tìm đơn vị" hint="Theo tên hoặc mã đơn vị.">
          {(d) => <input id="u-search" type="search" autoComplete="off" value={query} aria-describedby={d}
                         onInput={(e) => setQuery(e.currentTarget.value)} />}
        </Field>
        {collapsible && !shown && (
          <div class="actions">
            <button type="button" class="button button--small button--secondary" onClick={() => everything("all")}>Mở rộng tất cả</button>
            <button type="button" class="button button--small button--secondary" onClick={() => everything("none")}>Thu gọn tất cả</button>
          </div>
        )}
      </div>
      <p class="muted" role="status">
        {shown ? (found ? `${found} đơn vị khớp “${query.trim()}” (kèm các đơn vị cấp trên của chúng).` : `Không có đơn vị nào khớp “${query.trim()}”.`)
          : `${units.length} đơn vị.`}
      </p>
      {branch(null, 0)}
    </>
  );
}

// -- add ---------------------------------------------------------------------------------------

function AddUnit({ parent: initialParent, onDone }: { parent: string; onDone: (unit: Unit | null) => void }) {
  const [id, setId] = useState("");
  const [idTouched, setIdTouched] = useState(false);
  const [name, setName] = useState("");
  const [parent, setParent] = useState(initialParent);
  const [kind, setKind] = useState<UnitKind>("other");
  const [emails, setEmails] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {  // the form opens where the person is about to type
    first.current?.scrollIntoView({ block: "center" });
    first.current?.focus();
  }, []);
  // One key per form: a retry after a lost answer is answered once, not refused as a duplicate.
  const [key] = useState(newKey);
  const errs = formErrors(problem);

  async function save(e: Event) {
    e.preventDefault();
    const list = emailLines(emails);
    const local = [
      !UNIT_ID_RE.test(id) && { field: "id", message: "Mã đơn vị gồm 2–63 chữ thường không dấu, số hoặc dấu gạch ngang." },
      !name.trim() && { field: "name", message: "Nhập tên đơn vị." },
      ...list.map((m, i) => !EMAIL_RE.test(m) && { field: `emails.${i}`, message: `“${m}” không phải địa chỉ thư điện tử.` }),
    ].filter((x): x is { field: string; message: string } => !!x);
    if (local.length) {
      setProblem({ status: 422, title: "", errors: local });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.POST("/v1/units", {
        params: { header: { "Idempotency-Key": key } },
        body: { id, name: name.trim(), parent_id: parent || null, kind, emails: list },
      });
      if (data) {
        onDone(data);
        return;
      }
      const p = asProblem(error, response);
      setProblem(p.status === 409 ? { ...p, errors: [{ field: "id", message: describe(p) }] } : p);
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card card--form" onSubmit={save} aria-labelledby="add-unit-title" noValidate>
      <h2 id="add-unit-title">Thêm đơn vị</h2>
      <Field id="u-name" label="Tên đơn vị" error={errs.name}>
        {(d, inv) => <input id="u-name" ref={first} maxLength={200} autoComplete="off" value={name} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => {
                              setName(e.currentTarget.value);
                              if (!idTouched) setId(suggestId(e.currentTarget.value));
                            }} />}
      </Field>
      <Field id="u-id" label="Mã đơn vị" error={errs.id}
             hint="Chữ thường không dấu, số và dấu gạch ngang, ví dụ ca-nghe-an. Không đổi được sau khi tạo.">
        {(d, inv) => <input id="u-id" maxLength={63} autoComplete="off" spellcheck={false} value={id} aria-describedby={d}
                            aria-invalid={inv} onInput={(e) => {
                              setIdTouched(true);
                              setId(e.currentTarget.value.trim());
                            }} />}
      </Field>
      <div class="columns">
        <Field id="u-parent" label="Đơn vị cấp trên" error={errs.parent_id}>
          {(d) => <UnitSelect id="u-parent" value={parent} onChange={setParent} empty="— Không có (cấp cao nhất) —" describedBy={d} />}
        </Field>
        <Field id="u-kind" label="Loại đơn vị" error={errs.kind}>
          {(d) => <KindSelect id="u-kind" value={kind} onChange={setKind} describedBy={d} />}
        </Field>
      </div>
      <Field id="u-emails" label="Thư điện tử liên hệ" error={errs.emails} hint="Mỗi dòng một địa chỉ; nhận thư nhắc nộp và thư trả lại báo cáo.">
        {(d, inv) => <textarea id="u-emails" rows={3} spellcheck={false} value={emails} aria-describedby={d} aria-invalid={inv}
                               onInput={(e) => setEmails(e.currentTarget.value)} />}
      </Field>
      {problem && !Object.keys(errs).length && <Notice kind="error">{describe(problem)}</Notice>}
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>Lưu đơn vị</button>
        <button type="button" class="button button--secondary" onClick={() => onDone(null)}>Hủy</button>
      </div>
    </form>
  );
}

function KindSelect({ id, value, onChange, describedBy }: {
  id: string; value: UnitKind; onChange: (k: UnitKind) => void; describedBy?: string;
}) {
  return (
    <select id={id} value={value} aria-describedby={describedBy} onChange={(e) => onChange(e.currentTarget.value as UnitKind)}>
      {KINDS.map((k) => <option key={k} value={k}>{KIND_TEXT[k]}</option>)}
    </select>
  );
}

// -- edit --------------------------------------------------------------------------------------

interface Loaded { unit: Unit; etag: string }

function EditUnit({ unitId, onSaved, onAddChild, onStale }: {
  unitId: string; onSaved: (u: Unit) => void; onAddChild: (parent: string) => void; onStale: () => void;
}) {
  const { units, reload } = useUnits();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [parent, setParent] = useState("");
  const [kind, setKind] = useState<UnitKind>("other");
  const [emails, setEmails] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const errs = formErrors(problem);

  /** Read the unit and its ETag (the edit is conditioned on it), and fill the form with it. */
  async function load(): Promise<void> {
    try {
      const { data, error, response } = await api.GET("/v1/units/{unit_id}", { params: { path: { unit_id: unitId } } });
      if (!data) {
        setLoadError(describe(asProblem(error, response)));
        return;
      }
      setLoaded({ unit: data, etag: response.headers.get("ETag") ?? "" });
      setName(data.name);
      setParent(data.parent_id ?? "");
      setKind(data.kind as UnitKind);
      setEmails(data.emails.join("\n"));
    } catch {
      setLoadError(OFFLINE);
    }
  }
  useEffect(() => {
    void load();
  }, []);

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!loaded) return <Loading />;
  const { unit, etag } = loaded;
  // Its own subtree is no place to move a unit to (the API refuses the cycle too, for a stale list).
  const own = units ? subtreeOf(units, unit.id) : new Set([unit.id]);

  async function save(e: Event) {
    e.preventDefault();
    setNotice(null);
    const list = emailLines(emails);
    const local = [
      !name.trim() && { field: "name", message: "Nhập tên đơn vị." },
      ...list.map((m, i) => !EMAIL_RE.test(m) && { field: `emails.${i}`, message: `“${m}” không phải địa chỉ thư điện tử.` }),
    ].filter((x): x is { field: string; message: string } => !!x);
    if (local.length) {
      setProblem({ status: 422, title: "", errors: local });
      return;
    }
    // Only what changed is sent: the audit names the fields edited, and a move is checked only when asked for.
    const body: { name?: string; parent_id?: string | null; kind?: UnitKind; emails?: string[] } = {};
    if (name.trim() !== unit.name) body.name = name.trim();
    if ((parent || null) !== (unit.parent_id ?? null)) body.parent_id = parent || null;
    if (kind !== unit.kind) body.kind = kind;
    if (list.join("\n") !== unit.emails.join("\n")) body.emails = list;
    if (!Object.keys(body).length) {
      setProblem(null);
      setNotice("Chưa có gì thay đổi.");
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { data, error, response } = await api.PATCH("/v1/units/{unit_id}", {
        params: { path: { unit_id: unit.id }, header: { "If-Match": etag } }, body,
      });
      if (data) {
        onSaved(data);
        return;
      }
      const p = asProblem(error, response);
      if (p.status === 412) {
        // Someone saved this unit since it was read: show their version rather than overwrite it.
        await load();
        setNotice("Đơn vị này vừa được người khác sửa. Biểu mẫu đã tải lại bản mới nhất; hãy kiểm tra rồi lưu lại.");
        return;
      }
      if (p.status === 409 || p.errors?.some((x) => x.field === "parent_id")) {
        // A refused move means the tree changed since the picker read it: read the units again.
        reload();
        onStale();
        setRound((n) => n + 1);
        setParent(unit.parent_id ?? "");  // the refused choice may no longer be offered
      }
      setProblem(p);
    } catch {
      setProblem({ status: 0, title: "" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-label={`Sửa đơn vị ${unit.name}`} noValidate>
      <p class="hint">Mã đơn vị: <code>{unit.id}</code></p>
      {notice && <Notice kind="warn">{notice}</Notice>}
      <Field id="e-name" label="Tên đơn vị" error={errs.name}>
        {(d, inv) => <input id="e-name" maxLength={200} autoComplete="off" value={name} aria-describedby={d} aria-invalid={inv}
                            onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field id="e-parent" label="Đơn vị cấp trên" error={errs.parent_id}
             hint="Không chọn được chính đơn vị này và các đơn vị cấp dưới của nó.">
        {(d) => <UnitSelect key={round} id="e-parent" value={parent} onChange={setParent} exclude={own}
                            empty="— Không có (cấp cao nhất) —" describedBy={d} />}
      </Field>
      <Field id="e-kind" label="Loại đơn vị" error={errs.kind}>
        {(d) => <KindSelect id="e-kind" value={kind} onChange={setKind} describedBy={d} />}
      </Field>
      <Field id="e-emails" label="Thư điện tử liên hệ" error={errs.emails} hint="Mỗi dòng một địa chỉ.">
        {(d, inv) => <textarea id="e-emails" rows={3} spellcheck={false} value={emails} aria-describedby={d} aria-invalid={inv}
                               onInput={(e) => setEmails(e.currentTarget.value)} />}
      </Field>
      {problem && (problem.detail || !Object.keys(errs).length) && <Notice kind="error">{describe(problem)}</Notice>}
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>Lưu đơn vị</button>
        <button type="button" class="button button--secondary" onClick={() => onAddChild(unit.id)}>
          Thêm đơn vị cấp dưới<span class="sr-only"> của {unit.name}</span>
        </button>
      </div>
    </form>
  );
}
