/**
 * The clock shared by simulators and connectors (README "Tests and benchmarks"): Zendesk's start_time must be
 * 60 s old and Retry-After is whole seconds, so tests scale time instead of sleeping. Two processes
 * built with the same `epochMs`, `realStartMs` and `scale` agree on "now".
 */
export interface Clock {
  /** Simulated wall time in epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of simulated time. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** How many real milliseconds `ms` of this clock's time take (a queue delay is real time). */
  realDelayMs(ms: number): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepReal(ms, signal),
  realDelayMs: (ms) => ms,
};

export interface ScaledClockOptions {
  /** Simulated time at `realStartMs`. */
  epochMs: number;
  /** Simulated milliseconds per real millisecond (e.g. 600: a minute passes in 100 ms). */
  scale: number;
  realStartMs?: number;
}

export function scaledClock(options: ScaledClockOptions): Clock & Required<ScaledClockOptions> {
  const realStartMs = options.realStartMs ?? Date.now();
  const { epochMs, scale } = options;
  if (!(scale > 0)) throw new RangeError(`clock scale must be > 0, got ${scale}`);
  return {
    epochMs,
    scale,
    realStartMs,
    now: () => epochMs + (Date.now() - realStartMs) * scale,
    sleep: (ms, signal) => sleepReal(ms / scale, signal),
    realDelayMs: (ms) => ms / scale,
  };
}

/** A clock that only moves when told to: for pure, deterministic tests. */
export function manualClock(startMs: number): Clock & { advance(ms: number): void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    sleep: async (ms) => {
      current += Math.max(0, ms);
    },
    realDelayMs: () => 0,
  };
}

function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
