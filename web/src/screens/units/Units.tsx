/** Đơn vị (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Units(_props: Record<string, never>) {
  return <><Heading>Đơn vị</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
