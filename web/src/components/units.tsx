/** Units at national scale (11,000 of them): no page reads them all. A picker searches as the person
 * types (GET /v1/units?q=), names are read for the ids a page shows (GET /v1/units?ids=, 100 at a
 * time, remembered for the page load), and the tree opens one level at a time (?parent=). */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, asProblem, describe } from "../api/client";
import type { components } from "../api/schema";
import "./units.css";

export type Unit = components["schemas"]["Unit"];
export type UnitRef = components["schemas"]["UnitRef"];

// -- names of the units a page shows ---------------------------------------------------------------

const known = new Map<string, Unit>();
const missing = new Set<string>();  // asked for, not there (deleted, or a typo in a stored id)
const asked = new Set<string>();
const listeners = new Set<() => void>();
const tell = () => listeners.forEach((l) => l());

/** Remember units read anywhere (a search, a level of the tree, a saved form), so their names need no request. */
export function learn(units: Unit[]): void {
  for (const u of units) {
    const old = known.get(u.id);
    known.set(u.id, { ...old, ...u, ancestors: u.ancestors ?? old?.ancestors ?? null });
  }
  if (units.length) tell();
}

/** Forget the units read (after one is created, renamed or moved). */
export function forgetUnits(): void {
  known.clear();
  missing.clear();
  asked.clear();
  tell();
}

async function readNames(ids: string[]): Promise<void> {
  for (let at = 0; at < ids.length; at += 100) {
    const chunk = ids.slice(at, at + 100);
    try {
      const { data } = await api.GET("/v1/units", { params: { query: { ids: chunk.join(",") } } });
      if (!data) {  // refused (a unit's clerk may not list units): not asked again on every render
        chunk.forEach((id) => missing.add(id));
        continue;
      }
      learn(data.items);
      chunk.filter((id) => !known.has(id)).forEach((id) => missing.add(id));
    } finally {
      chunk.forEach((id) => asked.delete(id));  // offline: asked again on the next render that needs it
    }
  }
  tell();
}

export interface UnitNames {
  /** The unit's name; its id until the name is read; "—" for none. */
  name: (id: string | null | undefined) => string;
  unit: (id: string | null | undefined) => Unit | undefined;
}

/** The names of the units `ids`, read in batches of 100 the first time they are needed. */
export function useUnitNames(ids: (string | null | undefined)[]): UnitNames {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  useEffect(() => {  // after every render: cheap, and it reads again what `forgetUnits` dropped
    const unread = wanted.filter((id) => !known.has(id) && !missing.has(id) && !asked.has(id));
    if (!unread.length) return;
    unread.forEach((id) => asked.add(id));
    void readNames(unread).catch(() => undefined);
  });
  return {
    name: (id) => (id ? known.get(id)?.name ?? id : "—"),
    unit: (id) => (id ? known.get(id) : undefined),
  };
}

/** "Bộ Công an › Công an tỉnh Nghệ An": the units above one, the root first. */
export function pathText(ancestors: UnitRef[] | null | undefined): string {
  return (ancestors ?? []).map((a) => a.name).join(" › ");
}

// -- the search-as-you-type picker ------------------------------------------------------------------

interface Props {
  id: string;
  value: string;
  onChange: (unitId: string) => void;
  /** The first, empty choice ("Tất cả đơn vị", "— Không —"). */
  empty?: string;
  /** Units that may not be chosen (already in a list). */
  exclude?: Set<string>;
  /** A unit that may not be chosen, nor any unit below it (a unit cannot move under itself). */
  excludeBelow?: string;
  describedBy?: string;
  /** Where to search instead of GET /v1/units?q= (a unit's own subtree, for its clerks). */
  search?: (query: string, limit: number) => Promise<{ items: Unit[]; total: number }>;
}

export type UnitSearch = NonNullable<Props["search"]>;

const SEARCH_LIMIT = 20;
const DEBOUNCE_MS = 200;

interface Found { items: Unit[]; total: number; query: string }

/** A combobox (WAI-ARIA 1.2, list autocomplete): type a unit's name or code, choose with the arrow
 * keys and Enter (or a click); Esc closes the list and puts back the chosen unit's name. */
export function UnitSelect({ id, value, onChange, empty, exclude, excludeBelow, describedBy, search }: Props) {
  const names = useUnitNames([value]);
  const chosen = names.unit(value);
  const [text, setText] = useState<string | null>(null);  // null: not typing, the chosen unit's name shows
  const [open, setOpen] = useState(false);
  const [found, setFound] = useState<Found | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(-1);
  const seq = useRef(0);
  const input = useRef<HTMLInputElement>(null);

  const query = (text ?? "").trim();
  useEffect(() => {
    if (!open || !query) {
      setFound(null);
      setBusy(false);
      return;
    }
    const mine = ++seq.current;
    setBusy(true);
    const timer = setTimeout(async () => {
      try {
        if (search) {
          const got = await search(query, SEARCH_LIMIT);
          if (mine !== seq.current) return;
          learn(got.items);
          setFound({ ...got, query });
          setError(null);
          return;
        }
        const { data, error: e, response } = await api.GET("/v1/units", { params: { query: { q: query, limit: SEARCH_LIMIT } } });
        if (mine !== seq.current) return;
        if (data) {
          learn(data.items);
          setFound({ items: data.items, total: data.total ?? data.items.length, query });
          setError(null);
        } else {
          setError(describe(asProblem(e, response)));
        }
      } catch (e) {
        if (mine === seq.current) setError(search && e instanceof Error && e.message ? e.message : "Không tìm được: không kết nối được máy chủ.");
      } finally {
        if (mine === seq.current) setBusy(false);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, open]);

  const allowed = (u: Unit) => !exclude?.has(u.id)
    && !(excludeBelow && (u.id === excludeBelow || u.ancestors?.some((a) => a.id === excludeBelow)));
  const results = (found && found.query === query ? found.items : []).filter(allowed);
  const options: { id: string; name: string; path: string }[] = [
    ...(empty !== undefined && !query ? [{ id: "", name: empty, path: "" }] : []),
    ...results.map((u) => ({ id: u.id, name: u.name, path: pathText(u.ancestors) })),
  ];
  const listId = `${id}-list`;
  const statusId = `${id}-status`;
  let status = "";
  if (open) {
    if (!query) status = "Gõ tên hoặc mã đơn vị để tìm (không cần dấu).";
    else if (error) status = error;
    else if (busy || !found || found.query !== query) status = "Đang tìm…";
    else if (!results.length) status = `Không có đơn vị nào khớp “${query}”.`;
    else if (found.total > found.items.length) {
      status = `${found.total} đơn vị khớp; hiện ${results.length} đơn vị khớp nhất, gõ thêm để thu hẹp.`;
    } else status = `${results.length} đơn vị khớp.`;
  }

  function choose(option: { id: string }) {
    onChange(option.id);
    setText(null);
    setOpen(false);
    setActive(-1);
  }

  function close(keepTyped = false) {
    setOpen(false);
    setActive(-1);
    if (keepTyped) return;
    // What was typed but not chosen goes; an emptied field means "none" where none is a choice.
    if (text !== null && !text.trim() && empty !== undefined && value) onChange("");
    setText(null);
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) {
        setOpen(true);
        if (text === null) setText("");
        return;
      }
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (options.length ? Math.max(0, Math.min(options.length - 1, a + step)) : -1));
    } else if (e.key === "Enter") {
      if (open && active >= 0 && options[active]) {
        e.preventDefault();  // a choice, not the form's submission
        choose(options[active]);
      }
    } else if (e.key === "Escape") {
      if (open || text !== null) {
        e.preventDefault();  // the list closes, not the dialog around it
        e.stopPropagation();
        close();
      }
    } else if (e.key === "Tab") {
      close();
    }
  }

  const shown = text ?? (value ? chosen?.name ?? value : "");
  const path = text === null && chosen ? pathText(chosen.ancestors) : "";
  return (
    <div class="combo">
      <input ref={input} id={id} type="text" role="combobox" aria-autocomplete="list" aria-expanded={open}
             aria-controls={listId} autoComplete="off" spellcheck={false}
             aria-activedescendant={open && active >= 0 && options[active] ? `${id}-opt-${active}` : undefined}
             aria-describedby={[describedBy, path ? `${id}-path` : "", open ? statusId : ""].filter(Boolean).join(" ") || undefined}
             placeholder={empty !== undefined && !value ? empty : "Gõ tên hoặc mã đơn vị"}
             value={shown}
             onFocus={(e) => e.currentTarget.select()}
             onInput={(e) => {
               setText(e.currentTarget.value);
               setOpen(true);
               setActive(-1);
             }}
             onClick={() => {
               if (!open) {
                 setOpen(true);
                 if (text === null) setText("");
               }
             }}
             onKeyDown={onKeyDown}
             onBlur={() => close()} />
      {path && <span class="combo__path" id={`${id}-path`}>Thuộc: {path}</span>}
      <div class="combo__popup" hidden={!open}>
        <ul id={listId} role="listbox" aria-label="Các đơn vị tìm được" class="combo__list" hidden={!options.length}>
          {options.map((o, i) => (
            <li key={o.id || "-"} id={`${id}-opt-${i}`} role="option" aria-selected={i === active} data-value={o.id}
                class={`combo__option${i === active ? " combo__option--active" : ""}`}
                onMouseDown={(e) => e.preventDefault()}  // the input keeps the focus: the click chooses
                onClick={() => choose(o)}>
              <span class="combo__name">{o.name}</span>
              {o.path && <span class="combo__where">{o.path}</span>}
            </li>
          ))}
        </ul>
        <p class="combo__status" id={statusId} role="status">{status}</p>
      </div>
    </div>
  );
}

// -- pickers over units read elsewhere (leaders' and units' own screens) --------------------------

/** Only the fields a picker needs: leaders read them from GET /v1/trends/units, not GET /v1/units. */
export type UnitLike = Pick<Unit, "id" | "name" | "parent_id">;

interface ChoiceProps {
  id: string;
  value: string;
  onChange: (unitId: string) => void;
  empty?: string;
  exclude?: Set<string>;
  describedBy?: string;
}

/** A select over units read elsewhere (null while loading): a unit's own subtree, a leader's scope. */
export function UnitChoice({ id, value, onChange, empty, exclude, describedBy, units, error }:
  ChoiceProps & { units: UnitLike[] | null; error: string | null }) {
  if (error) return <p class="error" id={id} role="alert">{error}</p>;
  const ordered = units ? treeOrder(units) : [];
  return (
    <select id={id} value={value} disabled={!units} aria-describedby={describedBy}
            onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {empty !== undefined && <option value="">{empty}</option>}
      {!units && <option value={value}>Đang tải…</option>}
      {ordered.filter(({ unit }) => !exclude?.has(unit.id)).map(({ unit, depth }) => (
        <option key={unit.id} value={unit.id}>{"\u00a0\u00a0".repeat(depth)}{unit.name}</option>
      ))}
    </select>
  );
}

/** Units in tree order (a parent, then its children by name), with their depth. */
export function treeOrder<U extends UnitLike>(units: U[]): { unit: U; depth: number }[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, U[]>();
  for (const u of units) {
    const parent = u.parent_id && ids.has(u.parent_id) ? u.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: { unit: U; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const u of children.get(parent) ?? []) {
      out.push({ unit: u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
