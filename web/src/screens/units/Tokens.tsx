/** Mã truy cập (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Tokens(_props: Record<string, never>) {
  return <><Heading>Mã truy cập</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
