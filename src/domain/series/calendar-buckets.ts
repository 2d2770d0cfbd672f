/**
 * Day and week values from hourly points, exact in every IANA time zone.
 *
 * Series are stored as counts per UTC hour. A local day or week that starts on a UTC hour is a sum of
 * whole hours; one that starts mid-hour (Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Adelaide
 * +09:30/+10:30, America/St_Johns −03:30/−02:30) splits the hour around its edge. With C(b) the number
 * of contributions created before instant b, a bucket [s, e) holds C(e) − C(s), and
 *
 *   value[s, e) = Σ points of the hours in [H(s), H(e))  −  partial(s)  +  partial(e)
 *
 * where H(b) is the UTC hour containing b and partial(b) is how many of the contributions counted in
 * hour H(b) were created before b (0 when b is on the hour). Buckets tile time, so the days of a range
 * add up to its hours exactly, DST days (23 or 25 hours) included.
 */
export const HOUR_MS = 3_600_000;

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

export interface BucketBounds {
  startMs: number;
  endMs: number;
}

/** The instants inside an hour (not on it) where some bucket starts or ends: partial counts are needed there. */
export function midHourEdges(buckets: readonly BucketBounds[]): number[] {
  const edges = new Set<number>();
  for (const { startMs, endMs } of buckets) {
    for (const edge of [startMs, endMs]) if (edge !== hourOf(edge)) edges.add(edge);
  }
  return [...edges].sort((a, b) => a - b);
}

/**
 * `hourly`: value per UTC hour start (missing = 0); `partialBefore`: for each mid-hour edge, the count
 * of its hour's contributions created before it. Returns one value per bucket, in order.
 */
export function assembleBuckets(buckets: readonly BucketBounds[], hourly: ReadonlyMap<number, number>, partialBefore: ReadonlyMap<number, number>): number[] {
  const hours = [...hourly.keys()].sort((a, b) => a - b);
  const prefix = [0];
  for (const hour of hours) prefix.push((prefix[prefix.length - 1] ?? 0) + (hourly.get(hour) ?? 0));
  // Σ of the hours before `hour`, by binary search over the sorted hours.
  const before = (hour: number): number => {
    let lo = 0;
    let hi = hours.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((hours[mid] ?? Infinity) < hour) lo = mid + 1;
      else hi = mid;
    }
    return prefix[lo] ?? 0;
  };
  const partial = (edge: number): number => (edge === hourOf(edge) ? 0 : (partialBefore.get(edge) ?? 0));
  return buckets.map(({ startMs, endMs }) => before(hourOf(endMs)) - before(hourOf(startMs)) - partial(startMs) + partial(endMs));
}
