/** Hội nghị (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Conference(_props: { conferenceId: string | null }) {
  return <><Heading>Hội nghị</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
