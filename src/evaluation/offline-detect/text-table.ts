/** A plain left-aligned text table (header, then rows), columns separated by two spaces. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => (row[k] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, k) => cell.padEnd(widths[k] ?? 0)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
