export interface LineText {
  product: string;
  quantity?: string;
  unitPrice?: string;
  discountKind?: string;
  discount?: string;
  comment?: string;
}

/** Returns the form inputs of the product lines, numbered from 1, in a form of `count` rows. */
export function lineFields(lines: LineText[], count = 5): Record<string, string> {
  const fields: Record<string, string> = { line_count: String(Math.max(count, lines.length)) };
  lines.forEach((line, index) => {
    const row = index + 1;
    fields[`line_product_${row}`] = line.product;
    fields[`line_quantity_${row}`] = line.quantity ?? '';
    fields[`line_unitPrice_${row}`] = line.unitPrice ?? '';
    fields[`line_discountKind_${row}`] = line.discountKind ?? 'none';
    fields[`line_discount_${row}`] = line.discount ?? '';
    fields[`line_comment_${row}`] = line.comment ?? '';
  });
  return fields;
}
