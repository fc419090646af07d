/** Every unit of the ministry, read once per page load (GET /v1/units, page by page), and a picker over them. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../api/client";
import type { components } from "../api/schema";

export type Unit = components["schemas"]["Unit"];

const collator = new Intl.Collator("vi");
let all: Promise<Unit[]> | null = null;

async function readAll(): Promise<Unit[]> {
  const out: Unit[] = [];
  let cursor: string | undefined;
  do {
    const { data, error, response } = await api.GET("/v1/units", { params: { query: { limit: 100, cursor } } });
    if (!data) throw new Error(describe(asProblem(error, response)));
    out.push(...data.items);
    cursor = data.next ?? undefined;
  } while (cursor);
  return out.sort((a, b) => collator.compare(a.name, b.name));
}

/** Forget the units read (after one is created, renamed or moved). */
export function forgetUnits(): void {
  all = null;
}

export interface Units {
  units: Unit[] | null;
  error: string | null;
  byId: Map<string, Unit>;
  name: (id: string | null | undefined) => string;
  reload: () => void;
}

export function useUnits(): Units {
  const [units, setUnits] = useState<Unit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!all) {
      all = readAll();
      all.catch(() => (all = null));
    }
    let live = true;
    all.then((u) => live && setUnits(u), (e: Error) => live && setError(e.message || "Không tải được danh sách đơn vị."));
    return () => {
      live = false;
    };
  }, [round]);
  const byId = new Map((units ?? []).map((u) => [u.id, u]));
  return {
    units, error, byId,
    name: (id) => (id ? byId.get(id)?.name ?? id : "—"),
    reload: () => {
      forgetUnits();
      setRound((n) => n + 1);
    },
  };
}

/** The units under `rootId` (itself included), for a subtree filter. */
export function subtreeOf(units: Unit[], rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const u of units) if (u.parent_id) children.set(u.parent_id, [...(children.get(u.parent_id) ?? []), u.id]);
  const out = new Set<string>();
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

interface Props {
  id: string;
  value: string;
  onChange: (unitId: string) => void;
  /** The first, empty choice ("Toàn Bộ", "— Không —"). */
  empty?: string;
  /** Units that may not be chosen (a unit cannot be moved under itself). */
  exclude?: Set<string>;
  describedBy?: string;
}

/** A select of units by name, indented by their depth in the tree. */
export function UnitSelect(props: Props) {
  const { units, error } = useUnits();
  return <UnitChoice {...props} units={units} error={error} />;
}

/** Only the fields a picker needs: leaders read them from GET /v1/trends/units, not GET /v1/units. */
export type UnitLike = Pick<Unit, "id" | "name" | "parent_id">;

/** UnitSelect over units read elsewhere (null while loading). */
export function UnitChoice({ id, value, onChange, empty, exclude, describedBy, units, error }:
  Props & { units: UnitLike[] | null; error: string | null }) {
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
