// Child process of bench/ingest.ts: one back-fill end to end, then its own peak RSS. Kept in a
// separate process so the measurement is the pipeline's memory, not the benchmark harness's.
import { parseArgs } from 'node:util';
import { measureEndToEnd } from './lib/end-to-end.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' }, since: { type: 'string' }, 'page-bytes': { type: 'string' } } });
const settings = values['page-bytes'] === undefined ? {} : { pageBytes: Number(values['page-bytes']) };
const result = await measureEndToEnd(String(values.url), String(values.token), Number(values.since), settings);
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...result, peakRssMb })}\n`);
process.exit(0);
