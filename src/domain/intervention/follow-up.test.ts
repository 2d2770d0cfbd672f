import { describe, expect, it } from 'vitest';
import { DEFAULT_FOLLOW_UP, followUps, type FollowUpItem } from './follow-up.ts';

const H = 3_600_000;
const item = (over: Partial<FollowUpItem> = {}): FollowUpItem => ({
  status: 'open', createdAtMs: 0, reopenedAtMs: null, acknowledgedAtMs: null, resolvedAtMs: null, dueMs: 100 * H,
  escalationLevel: 0, escalatedAtMs: null, measureSponsors: false, onAgendaAtMs: null, lastNoticeAtMs: 0, signals: [{ open: true, resolvedAtMs: null }], ...over,
});

describe('follow-ups', () => {
  it('escalates once when nobody acknowledged in time, then reminds at the repeat interval', () => {
    expect(followUps(item(), 3 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(item(), 4 * H, DEFAULT_FOLLOW_UP)).toEqual(['escalate']);
    expect(followUps(item({ escalationLevel: 1, lastNoticeAtMs: 4 * H }), 20 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(item({ escalationLevel: 1, lastNoticeAtMs: 4 * H }), 28 * H, DEFAULT_FOLLOW_UP)).toEqual(['remind']);
    expect(followUps(item({ status: 'acknowledged', acknowledgedAtMs: H }), 30 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
  });

  it("escalates a second time, to the sponsor of a threatened measure, when the escalation went unanswered as long", () => {
    const escalated = item({ escalationLevel: 1, escalatedAtMs: 4 * H, lastNoticeAtMs: 4 * H, measureSponsors: true });
    expect(followUps(escalated, 7 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(escalated, 8 * H, DEFAULT_FOLLOW_UP)).toEqual(['escalate']);
    // Without a linked measure there is nobody above the escalation contact: reminders only.
    expect(followUps({ ...escalated, measureSponsors: false }, 8 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(item({ escalationLevel: 2, escalatedAtMs: 8 * H, lastNoticeAtMs: 8 * H, measureSponsors: true }), 20 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(item({ escalationLevel: 2, escalatedAtMs: 8 * H, lastNoticeAtMs: 8 * H, measureSponsors: true }), 32 * H, DEFAULT_FOLLOW_UP)).toEqual(['remind']);
  });

  it('puts an item that outlived its due date on the agenda, once', () => {
    expect(followUps(item({ status: 'in_progress' }), 101 * H, DEFAULT_FOLLOW_UP)).toEqual(['agenda']);
    expect(followUps(item({ status: 'in_progress', onAgendaAtMs: 101 * H }), 120 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
  });

  it('verifies the effect when every signal stayed normal for a day after resolution, and reopens when one did not', () => {
    const resolved = item({ status: 'resolved', resolvedAtMs: 10 * H, signals: [{ open: false, resolvedAtMs: 12 * H }] });
    expect(followUps(resolved, 30 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(resolved, 36 * H, DEFAULT_FOLLOW_UP)).toEqual(['verify']);
    const still = item({ status: 'resolved', resolvedAtMs: 10 * H, signals: [{ open: true, resolvedAtMs: null }] });
    expect(followUps(still, 100 * H, DEFAULT_FOLLOW_UP)).toEqual([]);
    expect(followUps(still, 106 * H, DEFAULT_FOLLOW_UP)).toEqual(['reopen']);
  });
});
