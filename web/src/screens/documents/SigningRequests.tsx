/** "Văn bản chờ ký" on a home page: the documents submitted to the signed-in person (GET /v1/signing-requests),
 * each a link to the signer's page; nothing at all when there are none. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { dateTime } from "../../lib/format";
import type { components } from "../../api/schema";
import { kindName } from "./chain";
import "./documents.css";

export function SigningRequests() {
  const [items, setItems] = useState<components["schemas"]["SigningRequest"][] | null>(null);
  useEffect(() => {
    let live = true;
    if (!navigator.onLine) return; // nothing to sign offline: no failed request on the console either
    api.GET("/v1/signing-requests", {}).then(({ data }) => live && setItems(data?.items ?? []),
      () => live && setItems([]));
    return () => {
      live = false;
    };
  }, []);
  if (!items || items.length === 0) return null;
  return (
    <section class="card signing-requests" aria-labelledby="sr-title">
      <h2 id="sr-title">Văn bản chờ ký</h2>
      <ul class="plain">
        {items.map((d) => {
          const submittedAt = d.submitted_at;
          return (
            <li key={d.id} class="signing-requests__item">
              <a href={`#/van-ban/${encodeURIComponent(d.id)}`}>{kindName(d)}: {d.title}</a>
              <span class="note">{d.issuer?.name ?? ""}{submittedAt ? ` · trình ký lúc ${dateTime(submittedAt)}` : ""}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
