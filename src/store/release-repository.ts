import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

/**
 * Releases a spike can be explained by (the detect stage reads this table through
 * routing-context-repository.ts). Config apply owns the rows it declares (source `config`); the API
 * adds rows with source `api`, which config apply leaves alone. A key is unique per organization.
 */
type Db = PrismaClient | Prisma.TransactionClient;

export type ReleaseSource = 'config' | 'api' | 'jira';

export interface ReleaseRow {
  id: string;
  key: string;
  name: string;
  releasedAt: Date;
  products: string[];
  source: string;
  createdAt: Date;
}

export interface AddReleaseInput {
  organizationId: string;
  key: string;
  name: string;
  releasedAtMs: number;
  products: readonly string[];
  source: ReleaseSource;
  /** Who added it (audit log). */
  actor: string;
  nowMs: number;
}

export type AddReleaseOutcome = { ok: true; release: ReleaseRow } | { ok: false; code: 'EXISTS'; existing: ReleaseRow };

const select = { id: true, key: true, name: true, releasedAt: true, products: true, source: true, createdAt: true } as const satisfies Prisma.ReleaseSelect;

/** Adds a release with an audit record, in one transaction; a key the organization has is refused with the row that holds it. */
export async function addRelease(prisma: PrismaClient, input: AddReleaseInput): Promise<AddReleaseOutcome> {
  try {
    return await prisma.$transaction(async (tx) => {
      const existing = await tx.release.findUnique({ where: { organizationId_key: { organizationId: input.organizationId, key: input.key } }, select });
      if (existing) return { ok: false, code: 'EXISTS', existing } as const;
      const at = new Date(input.nowMs);
      const release = await tx.release.create({
        data: {
          organizationId: input.organizationId, key: input.key, name: input.name, releasedAt: new Date(input.releasedAtMs), products: [...input.products],
          source: input.source, createdAt: at,
        },
        select,
      });
      await tx.auditLog.create({
        data: {
          organizationId: input.organizationId, actor: input.actor, action: 'release.created', entityType: 'release', entityId: release.id, at,
          after: { key: release.key, name: release.name, releasedAt: release.releasedAt.toISOString(), products: release.products, source: release.source },
        },
      });
      return { ok: true, release } as const;
    });
  } catch (error) {
    // Two requests adding one key at once: the unique index refuses the second.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const existing = await prisma.release.findUnique({ where: { organizationId_key: { organizationId: input.organizationId, key: input.key } }, select });
      if (existing) return { ok: false, code: 'EXISTS', existing };
    }
    throw error;
  }
}

/** The organization's releases, latest first. */
export async function listReleases(prisma: Db, organizationId: string, options: { limit: number; since?: Date } = { limit: 100 }): Promise<ReleaseRow[]> {
  return prisma.release.findMany({
    where: { organizationId, ...(options.since === undefined ? {} : { releasedAt: { gte: options.since } }) },
    select,
    orderBy: [{ releasedAt: 'desc' }, { key: 'asc' }],
    take: options.limit,
  });
}
