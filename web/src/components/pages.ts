/** A list the API answers in pages (`{items|rows, next}`): the first page, then "Xem thêm" for the next. */
import { useEffect, useState } from "preact/hooks";
import { asProblem, describe } from "../api/client";

export interface Page<T> { items: T[]; next: string | null }

/** What openapi-fetch resolves to, reduced to what a page needs. */
export type Fetched<T> = { data?: T; error?: unknown; response: Response };

export interface Pages<T> {
  items: T[] | null;
  next: string | null;
  loading: boolean;
  error: string | null;
  /** Load the next page and append it. */
  more: () => void;
  /** Start again from the first page (after a change). */
  reload: () => void;
  /** Replace one item in place (after a row's action), found by `same`. */
  replace: (item: T, same: (a: T, b: T) => boolean) => void;
}

/**
 * `load(cursor)` asks for one page; `pick` turns its body into items and the next cursor.
 * `deps` restart the list (a new period, a new filter).
 */
export function usePages<B, T>(load: (cursor: string | undefined) => Promise<Fetched<B>>,
                               pick: (body: B) => Page<T>, deps: unknown[]): Pages<T> {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);

  function fetchPage(cursor: string | undefined, append: boolean, isCurrent: () => boolean) {
    setLoading(true);
    setError(null);
    load(cursor).then(({ data, error: e, response }) => {
      if (!isCurrent()) return;
      setLoading(false);
      if (data === undefined) {
        setError(describe(asProblem(e, response)));
        return;
      }
      const page = pick(data);
      setItems((old) => (append && old ? [...old, ...page.items] : page.items));
      setNext(page.next);
    }, () => {
      if (!isCurrent()) return;
      setLoading(false);
      setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    });
  }

  useEffect(() => {
    let current = true;
    setItems(null);
    fetchPage(undefined, false, () => current);
    return () => {
      current = false;
    };
  }, [...deps, round]);

  return {
    items, next, loading, error,
    more: () => {
      if (next && !loading) fetchPage(next, true, () => true);
    },
    reload: () => setRound((n) => n + 1),
    replace: (item, same) => setItems((old) => old && old.map((x) => (same(x, item) ? item : x))),
  };
}

/** The "Xem thêm" button under a paged list, with how many are shown. */
export function moreLabel(shown: number): string {
  return `Xem thêm (đang hiện ${new Intl.NumberFormat("vi-VN").format(shown)})`;
}
