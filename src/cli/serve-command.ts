import { Option, type Command } from 'commander';
import { parseEnv } from '../config/env.ts';
import { createLogger } from '../observability/logger.ts';
import { roles, serve, stopOnSignals, type Role } from '../main/serve.ts';
import { openServices } from '../main/services.ts';

/** `frontline serve --role api|worker|scheduler|all` — the long-running processes. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the API, the queue workers and/or the sync scheduler')
    .addOption(new Option('--role <role>', 'what this process does').choices(roles).default('all'))
    .option('--port <port>', 'API port (default $PORT or 3000)')
    .option('--lock-ms <ms>', 'job lock duration: how soon a dead worker’s job is retried elsewhere', '30000')
    .action(async (options: { role: Role; port?: string; lockMs: string }) => {
      const env = parseEnv();
      const logger = createLogger({ level: env.LOG_LEVEL, name: `frontline-${options.role}` });
      const services = openServices(env, { logger, applicationName: `frontline-${options.role}` });
      const serving = await serve(services, {
        role: options.role, host: env.HOST, port: options.port ? Number(options.port) : env.PORT, lockDurationMs: Number(options.lockMs),
      });
      stopOnSignals(serving, logger);
    });
}
