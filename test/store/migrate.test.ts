import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

describe('frontline migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('finds every migration already applied on a cloned database and applies nothing twice', async () => {
    const report = await migrate(db.url);
    expect(report.applied).toEqual([]);
    expect(report.skipped.length).toBeGreaterThan(0);
    expect(report.checksumMismatches).toEqual([]);
    const rows = await db.pool.query('SELECT migration_name, applied_steps_count FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    expect(rows.rows.map((r: { migration_name: string }) => r.migration_name)).toEqual(report.skipped);
  });

  it('enforces that a measure controller is neither its owner nor its sponsor', async () => {
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    const person = await db.prisma.person.create({ data: { organizationId: org.id, email: 'a@acme.example', name: 'A' } });
    const other = await db.prisma.person.create({ data: { organizationId: org.id, email: 'b@acme.example', name: 'B' } });
    const portfolio = await db.prisma.portfolio.create({ data: { organizationId: org.id, key: 'p', name: 'P' } });
    const program = await db.prisma.program.create({ data: { organizationId: org.id, portfolioId: portfolio.id, key: 'pr', name: 'Pr' } });
    const project = await db.prisma.project.create({ data: { organizationId: org.id, programId: program.id, key: 'pj', name: 'Pj' } });
    const pkg = await db.prisma.measurePackage.create({ data: { organizationId: org.id, projectId: project.id, key: 'mp', name: 'Mp' } });
    const base = { organizationId: org.id, packageId: pkg.id, title: 'Cut SSO tickets', sponsorId: other.id, ownerId: person.id };
    await expect(db.prisma.measure.create({ data: { ...base, key: 'm1', controllerId: person.id } })).rejects.toThrow(/measures_controller_independent/);
    const third = await db.prisma.person.create({ data: { organizationId: org.id, email: 'c@acme.example', name: 'C' } });
    const ok = await db.prisma.measure.create({ data: { ...base, key: 'm2', controllerId: third.id } });
    expect(ok.stage).toBe('defined');
  });

  it('keeps the audit log append-only', async () => {
    const entry = await db.prisma.auditLog.create({ data: { actor: 'test', action: 'config.apply', entityType: 'organization', entityId: 'x' } });
    await expect(db.prisma.auditLog.delete({ where: { id: entry.id } })).rejects.toThrow(/append-only/);
  });
});
