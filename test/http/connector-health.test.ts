import { describe, expect, it } from 'vitest';
import { deriveHealth, type HealthRun } from '../../src/http/connector-health.ts';

const NOW = Date.parse('2026-03-11T12:00:00Z');
const MIN = 60_000;
const ok = (minutesAgo: number): HealthRun => ({ status: 'succeeded', finishedAt: new Date(NOW - minutesAgo * MIN), errorClass: null, errorCode: null });
const failed = (errorClass: HealthRun['errorClass'], errorCode = 'E'): HealthRun => ({ status: 'failed', finishedAt: new Date(NOW - MIN), errorClass, errorCode });
const running: HealthRun = { status: 'running', finishedAt: null, errorClass: null, errorCode: null };
const cancelled: HealthRun = { status: 'cancelled', finishedAt: new Date(NOW - MIN), errorClass: null, errorCode: null };
const base = { lastSuccessAt: null, syncEverySeconds: 300, enabled: true, nowMs: NOW };

describe('deriveHealth', () => {
  it('is never_synced before any run finishes, failing when the only finished runs failed', () => {
    expect(deriveHealth({ ...base, runs: [] })).toEqual({ health: 'never_synced', reason: null });
    expect(deriveHealth({ ...base, runs: [running] })).toEqual({ health: 'never_synced', reason: null });
    expect(deriveHealth({ ...base, runs: [failed('transient', 'ZENDESK_TIMEOUT')] })).toEqual({
      health: 'failing', reason: 'never synced successfully; last run failed (transient ZENDESK_TIMEOUT)',
    });
  });

  it('turns a transient failure into degraded, three in a row into failing', () => {
    expect(deriveHealth({ ...base, runs: [failed('transient'), ok(10)] }).health).toBe('degraded');
    expect(deriveHealth({ ...base, runs: [failed('transient'), cancelled, failed('transient'), ok(10)] }).health).toBe('degraded');
    expect(deriveHealth({ ...base, runs: [failed('transient'), failed('transient'), failed('transient'), ok(10)] })).toEqual({
      health: 'failing', reason: 'last 3 runs failed (transient E)',
    });
  });

  it('fails at once on config and system errors', () => {
    expect(deriveHealth({ ...base, runs: [failed('system', 'BUG'), ok(10)] })).toEqual({ health: 'failing', reason: 'last run failed (system BUG)' });
  });

  it('judges staleness against the schedule, using the newer of run ledger and sync state', () => {
    expect(deriveHealth({ ...base, runs: [running, ok(10)] }).health).toBe('ok');
    expect(deriveHealth({ ...base, runs: [ok(16)] })).toEqual({ health: 'degraded', reason: 'no successful sync for 16 min' });
    expect(deriveHealth({ ...base, runs: [ok(16)], lastSuccessAt: new Date(NOW - 2 * MIN) }).health).toBe('ok');
    expect(deriveHealth({ ...base, runs: [ok(61)] })).toEqual({ health: 'failing', reason: 'no successful sync for 61 min' });
    expect(deriveHealth({ ...base, runs: [ok(61)], syncEverySeconds: 3600 }).health).toBe('ok');
    expect(deriveHealth({ ...base, runs: [ok(3 * 24 * 60)], enabled: false }).health).toBe('ok');
  });
});
