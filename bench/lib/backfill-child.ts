import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EndToEnd } from './end-to-end.ts';
import { startSimulatorProcess } from './simulator-process.ts';

/**
 * One back-fill end to end in a child process under the heap caps `npm run frontline` and the demo
 * use (package.json; README "Operating it"), against a simulator in its own process: the peak RSS is
 * the pipeline's, not the harness's. A child that dies (out of memory) is reported, not thrown.
 */
export type BackfillRss = (EndToEnd & { peakRssMb: number; ok: true }) | { ok: false; error: string; peakRssMb: null };

const heap = ['--max-old-space-size=128', '--max-semi-space-size=8'];

export async function backfillInChild(options: { tickets: number; seed: number; sinceMs: number; simulatorArgs?: string[]; pageBytes?: number }): Promise<BackfillRss> {
  const simulator = await startSimulatorProcess({ tickets: options.tickets, seed: options.seed, port: 0, extra: options.simulatorArgs ?? [] });
  try {
    const child = fileURLToPath(new URL('../backfill-rss.ts', import.meta.url));
    const args = [...heap, child, '--url', simulator.url, '--token', simulator.token, '--since', String(options.sinceMs)];
    if (options.pageBytes !== undefined) args.push('--page-bytes', String(options.pageBytes));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
      return { ok: true, ...(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as EndToEnd & { peakRssMb: number }) };
    } catch (error) {
      const e = error as { code?: unknown; signal?: unknown; stderr?: string };
      const last = (e.stderr ?? '').trim().split('\n').filter((l) => /heap|memory|Error/i.test(l)).slice(-2).join(' | ');
      return { ok: false, error: `child exited (code ${String(e.code)}, signal ${String(e.signal)}): ${last.slice(0, 300)}`, peakRssMb: null };
    }
  } finally {
    await simulator.close();
  }
}
