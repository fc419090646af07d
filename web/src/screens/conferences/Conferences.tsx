/** Hội nghị (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Conferences(_props: Record<string, never>) {
  return <><Heading>Hội nghị</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
