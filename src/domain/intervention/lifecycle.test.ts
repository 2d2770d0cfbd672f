import { describe, expect, it } from 'vitest';
import { transition } from './lifecycle.ts';

describe('intervention lifecycle', () => {
  it('walks Open → Acknowledged → In progress → Resolved → Effect verified', () => {
    expect(transition('open', 'ack')).toEqual({ ok: true, from: 'open', to: 'acknowledged' });
    expect(transition('acknowledged', 'start')).toEqual({ ok: true, from: 'acknowledged', to: 'in_progress' });
    expect(transition('in_progress', 'resolve')).toEqual({ ok: true, from: 'in_progress', to: 'resolved' });
    expect(transition('resolved', 'verify')).toEqual({ ok: true, from: 'resolved', to: 'effect_verified' });
  });

  it('reopens a resolved or verified item, which is then worked on again', () => {
    expect(transition('resolved', 'reopen').ok).toBe(true);
    expect(transition('effect_verified', 'reopen').ok).toBe(true);
    expect(transition('reopened', 'ack')).toMatchObject({ ok: true, to: 'acknowledged' });
  });

  it('refuses what makes no sense, saying what is possible', () => {
    expect(transition('resolved', 'ack')).toEqual({ ok: false, code: 'INVALID_TRANSITION', allowed: [], message: 'cannot ack an item that is resolved (nothing left to do by hand)' });
    expect(transition('in_progress', 'ack')).toMatchObject({ ok: false, allowed: ['resolve'], message: 'cannot ack an item that is in progress (possible: resolve)' });
    expect(transition('open', 'verify').ok).toBe(false);
  });
});
