/** Xét khen thưởng (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Shortlist(_props: { conferenceId: string; selected: string | null }) {
  return <><Heading>Xét khen thưởng</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
