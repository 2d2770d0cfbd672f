import { Option } from 'commander';
import type { Services } from '../main/services.ts';
import { listOrganizationRefs, type OrganizationRef } from '../store/intervention-queries.ts';
import { CliError } from './cli-error.ts';

/** `--org <key>` for commands that act on one organization. */
export const orgOption = (): Option => new Option('--org <key>', 'organization (default: the only one)');

/** The organization named by `--org`, or the only one there is. */
export async function chooseOrganization(services: Services, key: string | undefined): Promise<OrganizationRef> {
  const organizations = await listOrganizationRefs(services.db.prisma);
  if (organizations.length === 0) throw new CliError('No organizations exist yet: run `frontline config apply <file>` first.', 2);
  const keys = organizations.map((o) => o.key).join(', ');
  if (key !== undefined) {
    const match = organizations.find((o) => o.key === key);
    if (!match) throw new CliError(`unknown organization "${key}". Known organizations: ${keys}.`, 2);
    return match;
  }
  const [only, ...others] = organizations;
  if (!only || others.length > 0) throw new CliError(`there are several organizations (${keys}): add --org <key>`, 2);
  return only;
}
