import type { Command } from 'commander';
import { parseEnv } from '../config/env.ts';
import { migrate } from '../store/migrate.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (same bookkeeping as `prisma migrate deploy`)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL)')
    .action(async (options: { databaseUrl?: string }) => {
      const url = options.databaseUrl ?? parseEnv().DATABASE_URL;
      const report = await migrate(url);
      for (const name of report.applied) process.stdout.write(`applied  ${name}\n`);
      for (const name of report.checksumMismatches) {
        process.stderr.write(`warning  ${name} was changed after it was applied (checksum differs)\n`);
      }
      process.stdout.write(
        report.applied.length ? `${report.applied.length} migration(s) applied\n` : 'database schema is up to date\n',
      );
    });
}
