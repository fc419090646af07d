/** Một hội nghị: create (#/hoi-nghi/moi) or edit (#/hoi-nghi/<id>) it, write the báo cáo's assessment, then
 * compile, see, preview and download its documents, trình ký them, and see the deliveries made. */
import { useEffect, useState } from "preact/hooks";
import { api, asProblem, describe } from "../../api/client";
import { Heading, Loading, Notice } from "../../ui";
import { conferenceState, type ConferenceRecord } from "./Conferences";
import { ConferenceForm } from "./ConferenceForm";
import { Assessment, type SummaryState } from "../documents/Assessment";
import { stageOf, streamOf, type Doc } from "../documents/chain";
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
  // The form and the assessment editor start again from what is stored after their own save or a reload, not
  // after the other's save (both PATCH the conference; each keeps what is typed in it).
  const [formRound, setFormRound] = useState(0);
  const [assessRound, setAssessRound] = useState(0);
  const [assessNote, setAssessNote] = useState<string | null>(null);
  const [summary, setSummary] = useState<SummaryState | null>(null);
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
      setFormRound((n) => n + 1);
      setAssessRound((n) => n + 1);
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
                onClick={() => document.getElementById("c-assess-title")?.scrollIntoView({ block: "start" })}>
          Đánh giá của Văn phòng
        </button>
        <button type="button" class="button button--small button--secondary"
                onClick={() => document.getElementById("c-docs-title")?.scrollIntoView({ block: "start" })}>
          Văn bản và các lần gửi
        </button>
      </p>
      {created && <Notice kind="ok">Đã tạo hội nghị. Có thể tổng hợp văn bản ở cuối trang.</Notice>}
      {/* A new ETag (saved, or reloaded after someone else's change) starts the form again from what is stored. */}
      <ConferenceForm key={`form-${formRound}`} conference={conference} etag={etag}
                      onSaved={(c, tag) => {
                        setConference(c);
                        setEtag(tag);
                        setFormRound((n) => n + 1);
                        setMessage({ kind: "ok", text: "Đã lưu hội nghị." });
                      }}
                      onStale={() => void load({ kind: "warn", text: "Người khác vừa sửa hội nghị này. Đã tải lại bản "
                        + "mới nhất; hãy xem lại rồi sửa và lưu lần nữa." })}
                      message={message}
                      onChange={() => {
                        setMessage(null);
                        setCreated(false);
                      }} />
      <Assessment key={`assess-${assessRound}`} conference={conference} etag={etag} summary={summary} notice={assessNote}
                  onSaved={(c, tag) => {
                    setConference(c);
                    setEtag(tag);
                    setAssessNote(null);
                  }}
                  onStale={() => {
                    void load();
                    setAssessNote("Người khác vừa sửa hội nghị này. Đã tải lại bản mới nhất của phần đánh giá; "
                      + "hãy xem lại rồi sửa và lưu lần nữa.");
                  }} />
      <Documents conferenceId={conference.id} onDocuments={(docs) => setSummary(summaryOf(docs))} />
    </section>
  );
}

/** The báo cáo's current version, as the assessment editor needs it (null: none compiled yet). */
function summaryOf(docs: Doc[]): SummaryState | null {
  const mine = docs.filter((d) => streamOf(d) === "summary").sort((a, b) => b.version - a.version);
  const current = mine.find((d) => d.current) ?? mine[0];
  return current ? { stage: stageOf(current), number: current.number, issuedOn: current.issued_on } : null;
}
