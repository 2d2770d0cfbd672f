/** A literal string as a regular-expression source (subject `contains` rules). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
