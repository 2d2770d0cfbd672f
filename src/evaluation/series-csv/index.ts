export { findGaps, modalStep, type SeriesGap } from './gaps.ts';
export { formatTimestamp, parseTimestamp, timestampStyle, type TimestampStyle } from './parse-timestamp.ts';
export { parseSeriesCsv, readSeriesCsv, type ReadSeriesOptions, type SeriesCsv, type SeriesRepairs } from './read-series-csv.ts';
export { SeriesCsvError } from './series-csv-error.ts';
export { formatScoredCsv, parseScoredCsv, SCORED_HEADER, writeScoredCsv, type ScoredSeries } from './write-scored-csv.ts';
