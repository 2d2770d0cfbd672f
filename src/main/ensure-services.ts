import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./ensure-services.sh', import.meta.url));

/**
 * The demo is the README's first command, so it gets a fresh machine going by itself, like `npm test`:
 * PostgreSQL and Redis are checked, started where installed, and installed from Debian's packages
 * when run as root (the script says what it does). Otherwise the script has printed exactly what to run.
 */
export async function ensureServices(): Promise<boolean> {
  const result = spawnSync('bash', [script, '--install', '--quiet'], { stdio: 'inherit' });
  return result.status === 0;
}
