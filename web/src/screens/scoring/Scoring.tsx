/**
 * Chấm điểm: the leaders' scoring page.
 *
 * `#/cham-diem` lists the conferences with this reviewer's progress in each; `#/cham-diem/<id>` is
 * the sheet of one conference (GET /v1/conferences/{id}/scoring): the nominations in pages, each
 * with the rubric's criteria as 0-10 fields pre-filled with the reviewer's own earlier scores,
 * "Lưu điểm" (POST /v1/nominations/{id}/scores). A nomination the conflict rule keeps this
 * reviewer from says so and offers no fields; once the list is finalised every score is read-only.
 */
import { MoreButton } from "../../components/MoreButton";
import { useEffect, useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { api } from "../../api/client";
import { usePages } from "../../components/pages";
import { date, dateTime } from "../../lib/format";
import { Heading, Loading, Notice } from "../../ui";
import { ScoreCard } from "./ScoreCard";
import "./scoring.css";

type Sheet = components["schemas"]["ScoringSheet"];
type Row = components["schemas"]["SheetRow"];
type Conference = components["schemas"]["Conference"];
export type Head = Omit<Sheet, "items" | "next">;

const PAGE = 20;

export default function Scoring({ conferenceId }: { conferenceId: string | null }) {
  return conferenceId ? <ScoringSheet conferenceId={conferenceId} /> : <ConferenceList />;
}

/** "Đã chấm 2/3" and its bar; how many the conflict rule keeps out, when any. */
function Progress({ progress, id }: { progress: Head["progress"]; id: string }) {
  const { scored, total, conflicted } = progress;
  return (
    <div class="score-progress">
      <p id={id} class="score-progress__text">
        <strong>Đã chấm {scored}/{total}</strong>
        {scored === total && total > 0 && " · đã chấm xong"}
        {conflicted > 0 && <span class="hint"> (không tính {conflicted} đề nghị không được chấm vì xung đột lợi ích)</span>}
      </p>
      {total > 0 && <progress max={total} value={scored} aria-labelledby={id} />}
    </div>
  );
}

// -- #/cham-diem ---------------------------------------------------------------------------------

function ConferenceList() {
  const list = usePages(
    (cursor) => api.GET("/v1/conferences", { params: { query: { limit: 50, cursor } } }),
    (body) => body, []);
  const open = list.items?.filter((c) => !c.finalised_at) ?? [];
  const closed = list.items?.filter((c) => c.finalised_at) ?? [];
  return (
    <section>
      <Heading>Chấm điểm</Heading>
      <p class="lead">Chọn hội nghị để chấm điểm các đề nghị khen thưởng theo tiêu chí (0–10 điểm mỗi tiêu chí).
        Điểm đã lưu vẫn sửa được cho đến khi danh sách khen thưởng của hội nghị được chốt.</p>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {!list.items && !list.error && <Loading />}
      {list.items && list.items.length === 0 && <p>Chưa có hội nghị nào.</p>}
      {open.length > 0 && (
        <>
          <h2>Đang chấm điểm</h2>
          <ul class="cards">{open.map((c) => <ConferenceCard key={c.id} c={c} />)}</ul>
        </>
      )}
      {closed.length > 0 && (
        <>
          <h2>Đã chốt danh sách</h2>
          <ul class="cards">{closed.map((c) => <ConferenceCard key={c.id} c={c} />)}</ul>
        </>
      )}
      <MoreButton list={list} />
    </section>
  );
}

function ConferenceCard({ c }: { c: Conference }) {
  // one small read per card (a one-row page carries the whole conference's progress)
  const [head, setHead] = useState<Head | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api.GET("/v1/conferences/{conference_id}/scoring", { params: { path: { conference_id: c.id }, query: { limit: 1 } } })
      .then(({ data }) => (data ? setHead(data) : setFailed(true)), () => setFailed(true));
  }, [c.id]);
  return (
    <li class="card">
      <h3 class="card__title"><a href={`#/cham-diem/${encodeURIComponent(c.id)}`}>{c.title}</a></h3>
      <p>Ngày họp: {date(c.date)}{c.place ? ` · ${c.place}` : ""}</p>
      {c.finalised_at && <p><span class="state state--accepted">Đã chốt danh sách</span> {dateTime(c.finalised_at)}</p>}
      {head && <Progress progress={head.progress} id={`progress-${c.id}`} />}
      {!head && !failed && <p class="hint">Đang tải tiến độ…</p>}
      {failed && <p class="hint">Không tải được tiến độ chấm điểm.</p>}
    </li>
  );
}

// -- #/cham-diem/<conference> --------------------------------------------------------------------

function ScoringSheet({ conferenceId }: { conferenceId: string }) {
  const [head, setHead] = useState<Head | null>(null);
  const list = usePages(
    (cursor) => api.GET("/v1/conferences/{conference_id}/scoring",
      { params: { path: { conference_id: conferenceId }, query: { limit: PAGE, cursor } } }),
    (body: Sheet) => {
      const { items, next, ...rest } = body;
      setHead(rest);
      return { items, next };
    }, [conferenceId]);

  /** The progress and the finalised state again after a save (or a refusal): the server's count, not ours. */
  function refreshHead() {
    api.GET("/v1/conferences/{conference_id}/scoring",
      { params: { path: { conference_id: conferenceId }, query: { limit: 1 } } })
      .then(({ data }) => {
        if (!data) return;
        const { items: _items, next: _next, ...rest } = data;
        setHead(rest);
      }, () => undefined);
  }

  const finalised = !!head?.conference.finalised_at;
  return (
    <section class="scoring">
      <p class="back"><a href="#/cham-diem">← Các hội nghị</a></p>
      {head ? <Heading>Chấm điểm: {head.conference.title}</Heading> : <Heading>Chấm điểm</Heading>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {!list.items && !list.error && <Loading />}
      {head && (
        <>
          <p class="lead">
            Ngày họp: {date(head.conference.date)}
            {head.reviewer.unit_name ? <> · Người chấm: {head.reviewer.name} ({head.reviewer.unit_name})</>
              : <> · Người chấm: {head.reviewer.name}</>}
          </p>
          <Progress progress={head.progress} id="score-progress" />
          {finalised && (
            <Notice kind="warn">
              Danh sách khen thưởng của hội nghị đã được chốt lúc {dateTime(head.conference.finalised_at)}: điểm
              chỉ còn để xem, không sửa được nữa.
            </Notice>
          )}
          <Criteria head={head} open={!finalised} />
          {!finalised && (
            <p class="hint">Điểm đã lưu vẫn sửa được cho đến khi danh sách được chốt. Bạn không chấm đề nghị của đơn vị
              mình hoặc đơn vị cấp dưới (xung đột lợi ích).</p>
          )}
        </>
      )}
      {list.items && list.items.length === 0 && <p>Hội nghị chưa có đề nghị khen thưởng nào.</p>}
      {list.items && head && list.items.length > 0 && (
        <ul class="plain score-list">
          {list.items.map((row) => (
            <ScoreCard key={row.nomination.id} row={row} head={head} finalised={finalised}
              onChanged={(updated: Row) => {
                list.replace(updated, (a, b) => a.nomination.id === b.nomination.id);
                refreshHead();
              }} />
          ))}
        </ul>
      )}
      <MoreButton list={list} />
      {!list.items && list.error && (
        <p><button type="button" class="button button--secondary" onClick={list.reload}>Thử lại</button></p>
      )}
      <NothingToScore head={head} />
    </section>
  );
}

/** The rubric once, above the cards: each criterion's name, weight and what it weighs (each score
 * field points at its criterion's description with aria-describedby). */
function Criteria({ head, open }: { head: Head; open: boolean }) {
  // open while scoring; folded once the list is finalised (only the scores are left to read)
  return (
    <details class="criteria" open={open}>
      <summary>Tiêu chí chấm điểm: mỗi tiêu chí từ 0 đến {head.criterion_max} điểm (số nguyên)</summary>
      <dl>
        {head.criteria.map((c) => (
          <div key={c.code}>
            <dt>{c.label} <span class="hint">(trọng số {Math.round(c.weight * 100)}%)</span></dt>
            <dd id={`criterion-${c.code}`}>{c.description}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** Nothing to do here: every nomination is conflicted (said once, not per card). */
function NothingToScore({ head }: { head: Head | null }) {
  if (!head || head.progress.total > 0 || head.progress.conflicted === 0) return null;
  return <Notice kind="info">Bạn không được chấm đề nghị nào của hội nghị này vì xung đột lợi ích.</Notice>;
}
