import cliProgress from 'cli-progress';
import type { SyncProgress } from '../pipeline/pull/run-sync.ts';

/**
 * The back-fill progress bar: how far the source's change time has advanced from the start of the
 * back-fill towards now, with tickets fetched, stored and quarantined so far. On a non-TTY (CI, logs)
 * cli-progress prints nothing, so a plain line is logged every few pages instead.
 */
export interface SyncProgressView {
  update(progress: SyncProgress): void;
  stop(): void;
}

const DAY_MS = 86_400_000;

export function createSyncProgress(label: string, stream: NodeJS.WriteStream = process.stderr): SyncProgressView {
  const tty = Boolean(stream.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {bar} {percentage}% | {reached} | {fetched} fetched, {stored} new/changed, {quarantined} quarantined | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 20,
      fps: 5,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let begun = false;
  let lastLine = 0;
  return {
    update(progress) {
      const total = Math.max(1, Math.ceil((progress.targetMs - progress.startMs) / 60_000));
      const reachedMs = progress.progressAtMs ?? progress.startMs;
      const value = Math.min(total, Math.max(0, Math.floor((reachedMs - progress.startMs) / 60_000)));
      const payload = {
        reached: new Date(reachedMs).toISOString().slice(0, 16).replace('T', ' '),
        fetched: progress.totals.fetched,
        stored: progress.totals.inserted + progress.totals.updated,
        quarantined: progress.totals.quarantined,
        rate: Math.round(progress.totals.fetched / Math.max(0.001, (Date.now() - started) / 1000)),
      };
      if (!tty) {
        if (Date.now() - lastLine > 2000) {
          lastLine = Date.now();
          const days = ((reachedMs - progress.startMs) / DAY_MS).toFixed(1);
          stream.write(`${label} ${Math.round((100 * value) / total)}% (${days} days of history) ${payload.fetched} fetched, ${payload.stored} stored, ${payload.quarantined} quarantined\n`);
        }
        return;
      }
      if (!begun) {
        bar.start(total, value, payload);
        begun = true;
      } else bar.update(value, payload);
    },
    stop() {
      if (begun) {
        bar.update(bar.getTotal());
        bar.stop();
      }
    },
  };
}
