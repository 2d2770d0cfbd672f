import type pg from 'pg';
import { currentMonth } from '../../domain/measure/executive-summary.ts';
import { loadExecutiveSummary } from '../../store/executive-summary-query.ts';
import { completeMilestone, confirmEbitda, ebitdaOf, findMeasure, milestonesOf, transitionMeasure, writeEbitda } from '../../store/measure-repository.ts';
import { inTransaction } from '../../store/transaction.ts';

/**
 * The demo's transformation portfolio in motion (the hierarchy itself comes from frontline.demo.yaml):
 * measures taken through their gates by their owners, milestones done, actuals recorded by owners
 * and confirmed by controllers — through the same store functions, rules and audit as the API — so
 * that the portfolio shows a realistic mix: on track, at risk, a gap, one waiting for its decision.
 * Then the executive picture, with the intervention items against the measures they threaten.
 */
const DAY = 86_400_000;
const ACTOR = 'demo';

interface Progress {
  measure: string;
  stages: ('identified' | 'detailed' | 'decided' | 'implemented')[];
  done: string[];
  actuals: { from: string; to: string; amount: number }[];
  forecasts?: { from: string; to: string; amount: number }[];
}

const PROGRESS: readonly Progress[] = [
  { measure: 'm-sso-self-service', stages: ['identified', 'detailed', 'decided'], done: ['SSO wizard in beta'], actuals: [{ from: '2026-07-01', to: '2026-09-30', amount: 58_000 }], forecasts: [{ from: '2026-10-01', to: '2026-12-31', amount: 95_000 }] },
  {
    measure: 'm-self-service-invoices', stages: ['identified', 'detailed', 'decided', 'implemented'], done: ['Invoice download and corrections', 'Refund requests in the portal'],
    actuals: [{ from: '2026-04-01', to: '2026-06-30', amount: 48_000 }, { from: '2026-07-01', to: '2026-09-30', amount: 41_000 }],
  },
  { measure: 'm-release-quality', stages: ['identified', 'detailed', 'decided'], done: ['Canary releases for every service'], actuals: [] },
  { measure: 'm-retention-program', stages: ['identified', 'detailed'], done: ['Save desk staffed'], actuals: [] },
];

export async function seedGovernanceProgress(pool: pg.Pool, organizationId: string, nowMs: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    for (const p of PROGRESS) {
      const m = await findMeasure(client, organizationId, p.measure);
      if (m === null || m.stage !== 'defined' || m.ownerId === null || m.controllerId === null) continue;
      const owner = { actorId: m.ownerId, actor: `${ACTOR} (${m.owner?.email ?? ''})` };
      const controller = { actorId: m.controllerId, actor: `${ACTOR} (${m.controller?.email ?? ''})` };
      // Decisions spread over the past months, oldest first.
      let at = nowMs - 150 * DAY;
      const step = () => (at += 14 * DAY);
      for (const title of p.done) {
        const milestone = (await milestonesOf(client, [m.id])).find((x) => x.title === title);
        if (milestone) await completeMilestone(client, { organizationId, measureKey: m.key, milestoneId: milestone.id, ...owner, atMs: step() });
      }
      for (const kind of ['forecasts', 'actuals'] as const) {
        for (const e of p[kind] ?? []) {
          await writeEbitda(client, { organizationId, measureKey: m.key, kind: kind === 'actuals' ? 'actual' : 'forecast', periodStart: e.from, periodEnd: e.to, amount: e.amount, ...owner, atMs: step() });
        }
      }
      for (const entry of (await ebitdaOf(client, [m.id])).filter((e) => e.kind === 'actual')) {
        await confirmEbitda(client, { organizationId, measureKey: m.key, entryId: entry.id, ...controller, evidence: 'ledger extract, cost centre 4711', atMs: step() });
      }
      for (const to of p.stages) {
        const decision = to === 'decided' ? { committee: m.steeringCommittee ?? '', decidedOn: new Date(at).toISOString().slice(0, 10), reference: `minutes ${new Date(at).toISOString().slice(0, 10)}` } : undefined;
        const outcome = await transitionMeasure(client, { organizationId, measureKey: m.key, to, reason: `gate review: ${to}`, ...owner, ...(decision ? { decision } : {}), atMs: step() });
        if (outcome.kind !== 'moved') throw new Error(`demo: ${m.key} could not move to ${to}: ${outcome.kind === 'refused' ? outcome.decision.problems.map((x) => x.message).join('; ') : 'not found'}`);
      }
    }
  });
}

export async function printGovernance(pool: pg.Pool, organizationId: string, nowMs: number, out: (line: string) => void): Promise<void> {
  const client = await pool.connect();
  try {
    const s = await loadExecutiveSummary(client, organizationId, currentMonth(nowMs), nowMs);
    if (s.totals.measures === 0) return;
    const k = (amount: number): string => `${(amount / 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })}k`;
    const states = Object.entries(s.totals.byState).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state.replace('_', ' ')}`).join(', ');
    out(`governance: ${s.totals.measures} measures (${states}); EBITDA plan ${k(s.totals.plan)} EUR, realised ${k(s.totals.realised)}, forecast at completion ${k(s.totals.forecastAtCompletion)}`);
    for (const g of s.goals) out(`  ${g.program.name} — goal: ${g.program.goal ?? 'none'}; forecast ${g.forecastShare === null ? 'n/a' : `${Math.round(g.forecastShare * 100)} %`} of plan`);
    out('  top risks:');
    for (const r of s.risks.slice(0, 4)) {
      const items = r.openInterventions.map((i) => `"${i.title}" (owner ${i.owner ?? 'none'}, ${i.ageDays} d)`).join('; ');
      out(`    ${r.measure} [${r.state.replace('_', ' ')}]${r.ebitdaAtRisk > 0 ? ` ${k(r.ebitdaAtRisk)} EUR at risk` : ''}${r.customersAffected > 0 ? `, ${r.customersAffected} customers affected` : ''} — ${[...r.reasons.slice(0, 2), ...(items ? [`threatened by ${items}`] : [])].join('; ')}`);
    }
    if (s.decisionsAsked.length > 0) out('  decisions asked:');
    for (const d of s.decisionsAsked.slice(0, 4)) out(`    ${d.ask}`);
  } finally {
    client.release();
  }
}
