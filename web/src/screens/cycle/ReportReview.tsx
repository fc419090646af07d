/** Báo cáo của đơn vị (placeholder: issue 17 builds this screen). */
import { Heading } from "../../ui";

export default function ReportReview(_props: { period: string; unitId: string }) {
  return <><Heading>Báo cáo của đơn vị</Heading><p>Màn hình này đang được xây dựng.</p></>;
}
