/** Đơn vị (#/don-vi): the ministry's unit tree, one level at a time (11,000 units are no page to read
 * at once); a search by name; add a unit, edit one (rename, move, kind, contact emails). */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe, newKey } from "../../api/client";
import type { Problem } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { forgetUnits, learn, UnitSelect, useUnitNames, type Unit, type UnitRef } from "../../components/units";
import { Field, Heading, Loading, Notice } from "../../ui";
import { emailLines, EMAIL_RE, formErrors, KIND_TEXT, KINDS, OFFLINE, suggestId, UNIT_ID_RE, type UnitKind } from "./common";
import "./people.css";

/** Units of one level read at a time ("Xem thêm" reads the next ones). */
const PAGE = 50;
/** Matches of a search shown at most (with the units above them). */
const FOUND = 50;
const collator = new Intl.Collator("vi");

type Message = { kind: "ok" | "error"; text: string };

export default function Units(_props: Record<string, never>) {
  // null: the add form is closed; otherwise the parent it starts with ("" for none).
  const [adding, setAdding] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  // Remounted after a change, so the open levels and every picker read the units again.
  const [round, setRound] = useState(0);
  // Units opened or closed by hand (the top level starts open, the rest closed).
  const [opened, setOpened] = useState<Map<string, boolean>>(new Map());
  const names = useUnitNames([editing]);

  /** Open the units above `unitId`, so it shows where it now stands. */
  async function reveal(unitId: string) {
    try {
      const { data } = await api.GET("/v1/units", { params: { query: { ids: unitId } } });
      const above = data?.items[0]?.ancestors ?? [];
      if (above.length) setOpened((old) => new Map([...old, ...above.map((a): [string, boolean] => [a.id, true])]));
    } catch {
      // offline: the tree stays as it was opened
    }
  }

  function changed(text: string, unitId: string) {
    setMessage({ kind: "ok", text });
    forgetUnits();
    setRound((n) => n + 1);
    void reveal(unitId);
  }

  return (
    <section>
      <Heading>Đơn vị</Heading>
      <p class="lead">Cây đơn vị của Bộ: thêm đơn vị, đổi tên, chuyển sang đơn vị cấp trên khác và sửa thư điện tử liên hệ.</p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {adding !== null
        ? <AddUnit key={`add-${round}-${adding}`} parent={adding} onDone={(u) => {
            setAdding(null);
            if (u) changed(`Đã thêm đơn vị ${u.name}.`, u.id);
          }} />
        : <div class="actions">
            <button type="button" class="button" onClick={() => {
              setMessage(null);
              setAdding("");
            }}>Thêm đơn vị</button>
          </div>}
      <h2>Cây đơn vị</h2>
      <Tree key={round} opened={opened} onToggle={(id, open) => setOpened((old) => new Map(old).set(id, open))}
            onEdit={(id) => {
              setMessage(null);
              setAdding(null);
              setEditing(id);
            }} />
      <Dialog title={editing ? `Sửa đơn vị: ${names.name(editing)}` : "Sửa đơn vị"} open={editing !== null} onClose={() => setEditing(null)}>
        {editing && <EditUnit key={`${editing}-${round}`} unitId={editing} onSaved={(u) => {
          setEditing(null);
          changed(`Đã lưu đơn vị ${u.name}.`, u.id);
        }} onAddChild={(parent) => {
          setEditing(null);
          setAdding(parent);
        }} onStale={() => forgetUnits()} />}
      </Dialog>
    </section>
  );
}

// -- the tree ----------------------------------------------------------------------------------

interface TreeProps {
  opened: Map<string, boolean>;
  onToggle: (id: string, open: boolean) => void;
  onEdit: (id: string) => void;
}

function Tree({ opened, onToggle, onEdit }: TreeProps) {
  const [query, setQuery] = useState("");
  const wanted = query.trim();
  return (
    <>
      <div class="filters">
        <Field id="u-search" label="Tìm đơn vị" hint="Theo tên (có dấu hoặc không dấu) hoặc mã đơn vị.">
          {(d) => <input id="u-search" type="search" autoComplete="off" value={query} aria-describedby={d}
                         onInput={(e) => setQuery(e.currentTarget.value)} />}
        </Field>
      </div>
      {wanted
        ? <Found query={wanted} onEdit={onEdit} />
        : <Level parent={null} depth={0} opened={opened} onToggle={onToggle} onEdit={onEdit} />}
    </>
  );
}

interface LevelState { items: Unit[]; next: string | null; total: number; loading: boolean; error: string | null }

/** One level of the tree: the units directly below `parent` (null: the top), PAGE at a time. */
function useLevel(parent: string | null) {
  const [state, setState] = useState<LevelState>({ items: [], next: null, total: 0, loading: true, error: null });
  async function load(cursor?: string) {
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const { data, error, response } = await api.GET("/v1/units", {
        params: { query: { parent: parent ?? "root", limit: PAGE, cursor } },
      });
      if (!data) {
        setState((s) => ({ ...s, loading: false, error: describe(asProblem(error, response)) }));
        return;
      }
      learn(data.items);
      setState((s) => ({ items: cursor ? [...s.items, ...data.items] : data.items, next: data.next ?? null,
                         total: data.total ?? data.items.length, loading: false, error: null }));
    } catch {
      setState((s) => ({ ...s, loading: false, error: OFFLINE }));
    }
  }
  useEffect(() => {
    void load();
  }, []);
  return { ...state, more: () => state.next && void load(state.next) };
}

function Level({ parent, parentName, depth, opened, onToggle, onEdit }: TreeProps & {
  parent: string | null; parentName?: string; depth: number;
}) {
  const level = useLevel(parent);
  if (!depth && !level.loading && !level.error && !level.items.length) {
    return <p>Chưa có đơn vị nào. Hãy thêm đơn vị đầu tiên (Bộ).</p>;
  }
  const left = level.total - level.items.length;
  return (
    <>
      {!depth && level.total > 0 && <p class="muted" role="status">{level.total} đơn vị cấp cao nhất. Mở một đơn vị để xem các đơn vị cấp dưới.</p>}
      <ul class={depth ? "tree__branch" : "tree"} aria-busy={level.loading}>
        {level.items.map((u) => {
          const kids = u.children ?? 0;
          const open = kids > 0 && (opened.get(u.id) ?? depth < 1);
          return (
            <li key={u.id}>
              <Row unit={u} kids={kids} open={open} onToggle={() => onToggle(u.id, !open)} onEdit={onEdit} />
              {open && <Level parent={u.id} parentName={u.name} depth={depth + 1} opened={opened} onToggle={onToggle}
                              onEdit={onEdit} />}
            </li>
          );
        })}
        {level.loading && <li class="tree__more"><Loading /></li>}
        {level.error && <li class="tree__more"><Notice kind="error">{level.error}</Notice></li>}
        {!level.loading && level.next && (
          <li class="tree__more">
            <button type="button" class="button button--small button--secondary" onClick={level.more}>
              Xem thêm<span class="sr-only"> {parentName ? `đơn vị cấp dưới của ${parentName}` : "đơn vị cấp cao nhất"}</span>
              {" "}({left} đơn vị nữa)
            </button>
          </li>
        )}
      </ul>
    </>
  );
}

function Row({ unit, kids, open, onToggle, onEdit, path }: {
  unit: Unit | UnitRef; kids: number; open: boolean; onToggle?: () => void; onEdit: (id: string) => void; path?: string;
}) {
  const full = "kind" in unit ? unit : null;
  return (
    <div class="tree__row">
      {kids > 0 && onToggle
        ? <button type="button" class="tree__toggle" aria-expanded={open} onClick={onToggle}
                  aria-label={`${open ? "Thu gọn" : "Mở rộng"} ${unit.name} (${kids} đơn vị cấp dưới)`}>
            <span aria-hidden="true">{open ? "▾" : "▸"}</span>
          </button>
        : <span class="tree__leaf" aria-hidden="true" />}
      <div class="tree__body">
        <span class="tree__name">{unit.name}</span>
        {path && <span class="tree__meta">{path}</span>}
        {full && (
          <>
            <span class="tree__meta">
              <code>{full.id}</code> · {KIND_TEXT[full.kind as UnitKind] ?? full.kind}
              {kids > 0 && ` · ${kids} đơn vị cấp dưới`}
            </span>
            <span class="tree__emails">
              {full.emails.length ? full.emails.join(", ") : "Chưa có thư điện tử liên hệ"}
            </span>
          </>
        )}
      </div>
      <button type="button" class="button button--small button--secondary" onClick={() => onEdit(unit.id)}>
        Sửa<span class="sr-only"> {unit.name}</span>
      </button>
    </div>
  );
}

interface Node { ref: Unit | UnitRef; below: Node[] }

/** A search: the units whose name or code matches (the best FOUND of them), drawn under the units above them. */
function Found({ query, onEdit }: { query: string; onEdit: (id: string) => void }) {
  const [found, setFound] = useState<{ items: Unit[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setFound(null);
    const timer = setTimeout(async () => {
      try {
        const { data, error: e, response } = await api.GET("/v1/units", { params: { query: { q: query, limit: FOUND } } });
        if (!live) return;
        if (data) {
          learn(data.items);
          setFound({ items: data.items, total: data.total ?? data.items.length });
          setError(null);
        } else setError(describe(asProblem(e, response)));
      } catch {
        if (live) setError(OFFLINE);
      }
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!found) return <Loading text="Đang tìm…" />;

  // The matches and the units above them, as one small tree (each unit once).
  const roots: Node[] = [];
  const nodes = new Map<string, Node>();
  const matched = new Set(found.items.map((u) => u.id));
  for (const u of found.items) {
    let siblings = roots;
    for (const ref of [...(u.ancestors ?? []), u]) {
      let node = nodes.get(ref.id);
      if (!node) {
        node = { ref: matched.has(ref.id) ? found.items.find((x) => x.id === ref.id)! : ref, below: [] };
        nodes.set(ref.id, node);
        siblings.push(node);
      }
      siblings = node.below;
    }
  }
  const branch = (list: Node[], depth: number) => (
    <ul class={depth ? "tree__branch" : "tree"}>
      {[...list].sort((a, b) => collator.compare(a.ref.name, b.ref.name)).map((n) => (
        <li key={n.ref.id}>
          <Row unit={n.ref} kids={"children" in n.ref ? n.ref.children ?? 0 : 0} open={false} onEdit={onEdit} />
          {n.below.length > 0 && branch(n.below, depth + 1)}
        </li>
      ))}
    </ul>
  );
  const shown = found.items.length;
  return (
    <>
      <p class="muted" role="status">
        {!found.total ? `Không có đơn vị nào khớp “${query}”.`
          : `${found.total} đơn vị khớp “${query}” (kèm các đơn vị cấp trên của chúng)`
            + (found.total > shown ? `; hiện ${shown} đơn vị khớp nhất, gõ thêm để thu hẹp.` : ".")}
      </p>
      {shown > 0 && branch(roots, 0)}
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
        // A refused move means the tree changed since the picker searched: read the units again.
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
        {(d) => <UnitSelect key={round} id="e-parent" value={parent} onChange={setParent} excludeBelow={unit.id}
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
