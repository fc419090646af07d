/** "Xem thêm" under a paged list: shown while the API has a next page. */
import { moreLabel, type Pages } from "./pages";

export function MoreButton<T>({ list }: { list: Pages<T> }) {
  if (!list.next) return null;
  return (
    <div class="actions">
      <button type="button" class="button button--secondary" disabled={list.loading} onClick={list.more}>
        {moreLabel(list.items?.length ?? 0)}
      </button>
    </div>
  );
}
