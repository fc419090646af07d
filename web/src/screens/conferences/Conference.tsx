/** Một hội nghị: create (#/hoi-nghi/moi) or edit (#/hoi-nghi/<id>) it, then compile, see, preview and download
 * its documents and the deliveries made. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import { Heading, Loading, Notice } from "../../ui";
import { conferenceState, type ConferenceRecord } from "./Conferences";
import { ConferenceForm } from "./ConferenceForm";
import { Documents } from "./Documents";
import "./conferences.css";

/** The conference just created, so its page can say so after the route changes. */
let justCreated: string | null = null;

export default function Conference({ conferenceId }: { conferenceId: string | null }) {
  if (conferenceId === null) {
    return (
      <section class="conference">
        <p class="crumbs"><a href="#/hoi-nghi">← Danh sách hội nghị</a></p>
        <Heading>Tạo hội nghị</Heading>
        <ConferenceForm conference={null} etag={null} onSaved={(c) => {
          justCreated = c.id;
          location.hash = `#/hoi-nghi/${encodeURIComponent(c.id)}`;
        }} onStale={() => undefined} />
      </section>
    );
  }
  return <Existing key={conferenceId} id={conferenceId} />;
}

type Message = { kind: "ok" | "warn" | "error"; text: string };

function Existing({ id }: { id: string }) {
  const [conference, setConference] = useState<ConferenceRecord | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState(justCreated === id);
  const [message, setMessage] = useState<Message | null>(null); // the last save's outcome, by the save button
  useEffect(() => {
    justCreated = null;
  }, []);

  async function load(after?: Message) {
    try {
      const { data, error: e, response } = await api.GET("/v1/conferences/{conference_id}", {
        params: { path: { conference_id: id } } });
      if (!data) {
        setError(describe(asProblem(e, response)));
        return;
      }
      setConference(data);
      setEtag(response.headers.get("ETag"));
      if (after) setMessage(after);
    } catch {
      setError("Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.");
    }
  }
  useEffect(() => void load(), [id]);

  if (error) {
    return (
      <section class="conference">
        <p class="crumbs"><a href="#/hoi-nghi">← Danh sách hội nghị</a></p>
        <Heading>Hội nghị</Heading>
        <Notice kind="error">{error}</Notice>
      </section>
    );
  }
  if (!conference) return <Loading />;
  const state = conferenceState(conference);
  return (
    <section class="conference">
      <p class="crumbs"><a href="#/hoi-nghi">← Danh sách hội nghị</a></p>
      <Heading>Hội nghị: {conference.title}</Heading>
      <p class="toolbar">
        <span class={`state state--${state.css}`}>{state.text}</span>
        <a class="button button--small" href={`#/xet-khen/${encodeURIComponent(conference.id)}`}>Xét khen thưởng</a>
        {/* a button, not a #fragment link: the hash is the route */}
        <button type="button" class="button button--small button--secondary"
                onClick={() => document.getElementById("c-docs-title")?.scrollIntoView({ block: "start" })}>
          Văn bản và các lần gửi
        </button>
      </p>
      {created && <Notice kind="ok">Đã tạo hội nghị. Có thể tổng hợp văn bản ở cuối trang.</Notice>}
      {/* A new ETag (saved, or reloaded after someone else's change) starts the form again from what is stored. */}
      <ConferenceForm key={etag ?? ""} conference={conference} etag={etag}
                      onSaved={(c, tag) => {
                        setConference(c);
                        setEtag(tag);
                        setMessage({ kind: "ok", text: "Đã lưu hội nghị." });
                      }}
                      onStale={() => void load({ kind: "warn", text: "Người khác vừa sửa hội nghị này. Đã tải lại bản "
                        + "mới nhất; hãy xem lại rồi sửa và lưu lần nữa." })}
                      message={message}
                      onChange={() => {
                        setMessage(null);
                        setCreated(false);
                      }} />
      <Documents conferenceId={conference.id} />
    </section>
  );
}
