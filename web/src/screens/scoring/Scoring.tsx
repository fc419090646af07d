/** Chấm điểm (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Scoring(_props: { conferenceId: string | null }) {
  return <><Heading>Chấm điểm</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
