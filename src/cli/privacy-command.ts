import type { Command } from 'commander';
import { eraseRequester } from '../store/ticket-erasure.ts';
import { CliError } from './cli-error.ts';
import { resolveConnector } from './connectors-command.ts';
import { withServices } from './run-with-services.ts';

/**
 * `frontline privacy erase-requester` — one requester's personal data erased on request (README
 * "Personal data"): their tickets keep counting, but lose subject, raw payload, requester and field
 * values, in the current row and in every kept version; later syncs erase them again before storing.
 */
export function registerPrivacyCommand(program: Command): void {
  const privacy = program.command('privacy').description('personal data: erase what identifies a requester');
  privacy
    .command('erase-requester')
    .description("erase one requester's personal data from every ticket of a connector (idempotent, audited)")
    .argument('<connector>', 'connector key (see `connectors list`)')
    .argument('<requester>', "the source's requester id, e.g. a Zendesk user id (tickets.requester_ref)")
    .option('--org <key>', 'organization, when several have this connector key')
    .option('--reason <text>', 'why, recorded in the audit log (e.g. the request reference)')
    .option('--actor <name>', 'who erases (recorded in the audit log)', process.env['USER'] ?? 'cli')
    .action((connectorKey: string, requester: string, options: { org?: string; reason?: string; actor: string }) =>
      withServices(async (services) => {
        if (!/^[\x21-\x7e]{1,200}$/.test(requester)) throw new CliError(`"${requester}" is not a requester id: give the source's id (printable, no spaces)`, 2);
        const connector = await resolveConnector(services, connectorKey, options.org);
        const result = await eraseRequester(services.db.pool, {
          organizationId: connector.organizationId, connectorId: connector.id, connectorKey: connector.key,
          requesterRef: requester, actor: options.actor, ...(options.reason ? { reason: options.reason } : {}),
        });
        process.stdout.write(
          `${connector.organizationKey}/${connector.key}: requester ${requester} erased — ${result.tickets} ticket(s), ${result.versions} kept version(s), ` +
            `${result.quarantined} quarantined record(s)${result.newlyListed ? '' : ' (already on the erasure list)'}; later syncs erase their tickets before storing them\n`,
        );
      }),
    );
}
