import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatConfigIssues, loadConfig } from '../../src/config/index.ts';
import { currentMonth } from '../../src/domain/measure/executive-summary.ts';
import { demoConfigPath } from '../../src/main/demo/demo-config-path.ts';
import { seedGovernanceProgress } from '../../src/main/demo/demo-governance.ts';
import { applyConfig } from '../../src/store/config-repository.ts';
import { loadExecutiveSummary } from '../../src/store/executive-summary-query.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The demo's portfolio: the demo configuration's hierarchy applied, then moved through its gates by
 * the people on each measure with the product's own rules — a mix an executive recognises (on track,
 * off track, a gap, a decision waiting), each step audited, and running it twice changes nothing.
 */
const NOW = Date.parse('2026-12-02T09:00:00Z');

describe('the demo portfolio', () => {
  let db: TestDatabase;
  let organizationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const loaded = await loadConfig([demoConfigPath], {});
    if (!loaded.ok) throw new Error(formatConfigIssues(loaded.issues));
    // Without its connector: the hierarchy is what this test is about.
    const applied = await applyConfig(db.prisma, { ...loaded.config, connectors: [] }, { secrets: {}, secretBox: createSecretBox(`t1:${Buffer.alloc(32, 7).toString('base64')}`), actor: 'test', source: ['demo'] });
    if (!applied.ok) throw new Error(JSON.stringify(applied.issues));
    organizationId = applied.summary.organizationId;
    expect(applied.summary.governance.measures.created).toHaveLength(7);
    await seedGovernanceProgress(db.pool, organizationId, NOW);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('moves measures through their gates with the rules and audit of the API, into a realistic mix', async () => {
    const stages = await db.pool.query<{ key: string; stage: string }>('SELECT key, stage::text FROM measures ORDER BY key');
    expect(Object.fromEntries(stages.rows.map((r) => [r.key, r.stage]))).toMatchObject({
      'm-sso-self-service': 'decided', 'm-self-service-invoices': 'implemented', 'm-release-quality': 'decided', 'm-retention-program': 'detailed', 'm-in-app-guidance': 'defined',
    });
    const client = await db.pool.connect();
    try {
      const s = await loadExecutiveSummary(client, organizationId, currentMonth(NOW), NOW);
      expect(s.totals.byState).toMatchObject({ gap: 1, off_track: 3, on_track: 3 });
      expect(s.risks.find((r) => r.measure === 'm-self-service-invoices')).toMatchObject({ state: 'gap', ebitdaShortfall: 51_000 });
      expect(s.decisionsAsked.map((d) => [d.kind, d.subject])).toEqual([['value_gap', 'm-self-service-invoices'], ['gate_decision', 'm-retention-program']]);
    } finally {
      client.release();
    }
    // Actuals recorded by the owner, confirmed by the controller — never the same person.
    const confirmed = await db.pool.query<{ key: string; confirmer: string }>(
      `SELECT m.key, p.email AS confirmer FROM ebitda_entries e JOIN measures m ON m.id = e.measure_id JOIN people p ON p.id = e.confirmed_by WHERE e.kind = 'actual' ORDER BY m.key, e.period_start`,
    );
    expect(confirmed.rows).toEqual([
      { key: 'm-self-service-invoices', confirmer: 'lea.hartmann@acme.example' }, { key: 'm-self-service-invoices', confirmer: 'lea.hartmann@acme.example' },
      { key: 'm-sso-self-service', confirmer: 'theo.vogel@acme.example' },
    ]);
    const audit = await db.pool.query<{ action: string; n: number }>("SELECT action, count(*)::int AS n FROM audit_log WHERE actor LIKE 'demo (%' GROUP BY action ORDER BY action");
    expect(audit.rows).toEqual([
      { action: 'ebitda.confirmed', n: 3 }, { action: 'ebitda.recorded', n: 4 }, { action: 'measure.advance', n: 12 }, { action: 'milestone.done', n: 5 },
    ]);
  });

  it('changes nothing when run again', async () => {
    const before = await db.pool.query('SELECT count(*)::int AS n FROM audit_log');
    await seedGovernanceProgress(db.pool, organizationId, NOW);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows).toEqual(before.rows);
  });
});
