/** The period picker: the periods the API lists (GET /v1/periods), by their Vietnamese labels, never a typed code. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../api/client";
import type { components } from "../api/schema";

export type PeriodChoice = components["schemas"]["PeriodChoice"];
type Kind = PeriodChoice["kind"];

const cache = new Map<string, Promise<PeriodChoice[]>>();

/** The latest `count` periods of a kind, the current one first (read once per page load). */
export function usePeriods(kind: Kind = "month", count = 24): { periods: PeriodChoice[] | null; error: string | null } {
  const [periods, setPeriods] = useState<PeriodChoice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const key = `${kind}:${count}`;
    let promise = cache.get(key);
    if (!promise) {
      promise = api.GET("/v1/periods", { params: { query: { kind, count } } }).then(({ data, error: e, response }) => {
        if (!data) throw new Error(describe(asProblem(e, response)));
        return data.items;
      });
      cache.set(key, promise);
      promise.catch(() => cache.delete(key));
    }
    let live = true;
    promise.then((items) => live && setPeriods(items),
      (e: Error) => live && setError(e.message || "Không tải được danh sách kỳ báo cáo."));
    return () => {
      live = false;
    };
  }, [kind, count]);
  return { periods, error };
}

/** Forget the cached periods (after a deadline is set, so labels and deadlines are fresh). */
export function forgetPeriods(): void {
  cache.clear();
}

interface Props {
  id: string;
  value: string;
  onChange: (code: string) => void;
  kind?: Kind;
  count?: number;
  /** Shown as the first, empty choice when given ("— Chọn kỳ —"). */
  placeholder?: string;
}

export function PeriodSelect({ id, value, onChange, kind = "month", count = 24, placeholder }: Props) {
  const { periods, error } = usePeriods(kind, count);
  if (error) return <p class="error" id={id} role="alert">{error}</p>;
  return (
    <select id={id} value={value} disabled={!periods} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {!periods && <option value={value}>Đang tải…</option>}
      {periods?.map((p) => (
        <option key={p.period} value={p.period}>{p.label}{p.current ? " (kỳ hiện tại)" : ""}</option>
      ))}
    </select>
  );
}
