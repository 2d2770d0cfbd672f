import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli/cli-error.ts';

const script = fileURLToPath(new URL('./ensure-services.sh', import.meta.url));

/**
 * The demo checks PostgreSQL and Redis and starts them where it can (never installs: that is for
 * `npm test` and CI); otherwise the script has printed exactly what to run.
 */
export async function ensureServices(): Promise<void> {
  const result = spawnSync('bash', [script, '--quiet'], { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new CliError('PostgreSQL and Redis are needed: run `docker compose up -d`, or install them as printed above, then run the demo again.', 3);
  }
}
