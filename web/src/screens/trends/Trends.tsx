/** Xu hướng (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function Trends(_props: { query: URLSearchParams }) {
  return <><Heading>Xu hướng</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
