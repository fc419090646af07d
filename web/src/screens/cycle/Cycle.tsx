/** Kỳ báo cáo (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Cycle(_props: { period: string | null }) {
  return <><Heading>Kỳ báo cáo</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
