/**
 * The key of a connector's driver volume series (`series.key`): one per driver of the taxonomy the
 * connector's series follow, and one for the tickets no rule matched. Written by ingest and derive,
 * read by the API; a key names a series, it never embeds a taxonomy version.
 */
export const driverSeriesKey = (connectorKey: string, driverKey: string): string => `driver_volume/${connectorKey}/${driverKey}`;
export const unmatchedSeriesKey = (connectorKey: string): string => `unmatched_volume/${connectorKey}`;
/** null = unmatched. */
export const seriesKeyOf = (connectorKey: string, driverKey: string | null): string =>
  driverKey === null ? unmatchedSeriesKey(connectorKey) : driverSeriesKey(connectorKey, driverKey);
/** The prefix every driver series key of a connector starts with. */
export const driverSeriesPrefix = (connectorKey: string): string => `driver_volume/${connectorKey}/`;
