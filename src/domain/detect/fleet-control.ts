/**
 * Fleet-wide false-alert control: of the episodes proposed in one bucket across all the series
 * evaluated for it, admit only those that survive the Benjamini–Hochberg procedure at rate q
 * (J. R. Stat. Soc. B 57(1), 1995): sort the m p-values, admit the k smallest where k is the largest
 * rank with p₍ₖ₎ ≤ q·k/m. With ten drivers this changes nothing a per-series α of 10⁻⁵ has not
 * decided; with 100k series one lone proposal needs p ≤ 5·10⁻⁷, so the fleet raises about q of its
 * alerts falsely however many series it watches.
 *
 * `pValues[i]` is the proposal of series i, or null when it proposes nothing; `tested` is m, the
 * number of series evaluated for the bucket (proposing or not).
 */
export function admitByFalseDiscoveryRate(pValues: readonly (number | null)[], tested: number, q: number): boolean[] {
  const proposals = pValues.flatMap((p, i) => (p === null ? [] : [{ p, i }])).sort((a, b) => a.p - b.p || a.i - b.i);
  const m = Math.max(tested, proposals.length);
  let admitted = 0;
  proposals.forEach(({ p }, rank) => {
    if (p <= (q * (rank + 1)) / m) admitted = rank + 1;
  });
  const out = pValues.map(() => false);
  for (const { i } of proposals.slice(0, admitted)) out[i] = true;
  return out;
}
