import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../support/closed-port.ts';

/**
 * src/main/ensure-services.sh, which `npm run demo` and `npm test` both run with --install (README, the
 * opening commands): on closed ports and with a PATH of stub programs (apt-get, pg_lsclusters,
 * pg_ctlcluster, redis-server, id, su) that record their arguments. Nothing real is installed or started.
 */
const script = fileURLToPath(new URL('../../src/main/ensure-services.sh', import.meta.url));
const bash = ['/usr/bin/bash', '/bin/bash'].find((p) => existsSync(p)) ?? 'bash';
/** The few real programs the script uses besides its stubs. */
const realTools = ['sleep', 'sed', 'tail', 'mkdir', 'ln'];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Machine {
  /** root, or an ordinary user */
  uid: 0 | 1000;
  /** Debian packages already installed (their stub programs are on the PATH). */
  installed: ('postgresql' | 'redis-server')[];
  /** Whether a started (stub) server opens its port. */
  starts: boolean;
}

const stub = (body: string): string => `#!${bash}\necho "\${0##*/} $*" >> "$STUB_LOG"\n${body}\n`;
/** A started server: a listener on the port, stdio detached so the script's pipes close. */
const listen = (portVar: string): string =>
  `if [ "$STUBS_START" = 1 ]; then "$STUB_NODE" -e 'require("node:net").createServer().listen(Number(process.argv[1]), "127.0.0.1"); setTimeout(() => process.exit(0), 60000)' "$${portVar}" </dev/null >/dev/null 2>&1 & echo $! >> "$STUB_PIDS"; fi`;

const packageStubs: Record<Machine['installed'][number], Record<string, string>> = {
  postgresql: {
    'pg_lsclusters': stub('echo "15 main $FRONTLINE_PG_PORT down postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log"'),
    'pg_ctlcluster': stub(listen('FRONTLINE_PG_PORT')),
  },
  'redis-server': { 'redis-server': stub(listen('FRONTLINE_REDIS_PORT')) },
};

describe('ensure-services.sh on a machine without running servers', () => {
  let dir: string;
  let bin: string;
  let log: string;
  let pids: string;
  let pgPort: number;
  let redisPort: number;
  const servers: Server[] = [];
  let state: Machine;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frontline-services-'));
    bin = join(dir, 'bin');
    log = join(dir, 'calls.log');
    pids = join(dir, 'pids');
    await mkdir(bin);
    await mkdir(join(dir, 'packages'));
    for (const tool of realTools) {
      const real = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
      if (real) await symlink(real, join(bin, tool));
    }
    for (const [pkg, programs] of Object.entries(packageStubs)) {
      await mkdir(join(dir, 'packages', pkg));
      for (const [name, body] of Object.entries(programs)) await executable(join(dir, 'packages', pkg, name), body);
    }
    await executable(join(bin, 'id'), stub('[ "${1:-}" = -u ] && echo "$STUB_UID"'));
    await executable(join(bin, 'su'), stub(''));
    // "Installing" a package puts its stub programs on the PATH.
    await executable(
      join(bin, 'apt-get'),
      stub('if [ "$1" = install ]; then for p in "$@"; do [ -d "$STUB_PACKAGES/$p" ] && for f in "$STUB_PACKAGES/$p"/*; do ln -s "$f" "$STUB_BIN/"; done; done; fi; exit 0'),
    );
    [pgPort, redisPort] = [await closedPort(), await closedPort()];
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) server.close();
    const started = existsSync(pids) ? (await readFile(pids, 'utf8')).split('\n').filter(Boolean) : [];
    for (const pid of started) {
      try {
        process.kill(Number(pid));
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function machine(m: Machine): Promise<void> {
    for (const pkg of m.installed) {
      for (const name of Object.keys(packageStubs[pkg])) await symlink(join(dir, 'packages', pkg, name), join(bin, name));
    }
    state = m;
  }

  function run(args: string[], waitSeconds = 5): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const child = spawn(bash, [script, ...args], {
        env: {
          PATH: bin, HOME: dir, TMPDIR: dir, STUB_LOG: log, STUB_PIDS: pids, STUB_BIN: bin, STUB_PACKAGES: join(dir, 'packages'),
          STUB_NODE: process.execPath, STUB_UID: String(state.uid), STUBS_START: state.starts ? '1' : '0',
          FRONTLINE_PG_PORT: String(pgPort), FRONTLINE_REDIS_PORT: String(redisPort), FRONTLINE_SERVICES_WAIT_S: String(waitSeconds),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const calls = async (program: string): Promise<string[]> =>
    existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith(`${program} `)).map((l) => l.slice(program.length + 1)) : [];

  it('as root, installs what is missing from Debian\'s packages, says so, starts it and sets the default password', async () => {
    await machine({ uid: 0, installed: [], starts: true });
    const out = await run(['--install', '--quiet']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(await calls('apt-get')).toEqual(['update -qq', 'install -y -qq postgresql', 'install -y -qq redis-server']);
    expect(await calls('pg_ctlcluster')).toEqual(['--skip-systemctl-redirect 15 main start']);
    expect(await calls('su')).toEqual([`postgres -c psql -q -c "ALTER USER postgres PASSWORD 'postgres'"`]);
    expect(await calls('redis-server')).toEqual([
      `--daemonize yes --bind 127.0.0.1 -::1 --port ${redisPort} --save  --appendonly no --maxmemory-policy noeviction --dir /var/lib/redis --logfile /var/log/redis/frontline.log`,
    ]);
    expect(out.stdout).toContain(`services: installing postgresql from Debian's packages (apt-get install -y postgresql, as root; output in ${dir}/frontline-apt-get.log)`);
    expect(out.stdout).toContain(`services: PostgreSQL installed and started on 127.0.0.1:${pgPort}`);
    expect(out.stdout).toContain("services: installing redis-server from Debian's packages");
    expect(out.stdout).toContain(`services: Redis installed and started on 127.0.0.1:${redisPort}`);
  });

  it('as root, starts installed servers first and installs nothing', async () => {
    await machine({ uid: 0, installed: ['postgresql', 'redis-server'], starts: true });
    const out = await run(['--install', '--quiet']);
    expect(out.code).toBe(0);
    expect(await calls('apt-get')).toEqual([]);
    expect(await calls('pg_ctlcluster')).toEqual(['--skip-systemctl-redirect 15 main start']);
    expect(await calls('redis-server')).toHaveLength(1);
    expect(out.stdout).toContain('services: starting PostgreSQL 15/main (pg_ctlcluster 15 main start)');
    expect(out.stdout).toContain(`services: PostgreSQL started on 127.0.0.1:${pgPort}`);
    expect(out.stdout).toContain(`services: Redis started on 127.0.0.1:${redisPort}`);
  });

  it('without root, installs nothing and prints the exact commands to run, exiting non-zero', async () => {
    await machine({ uid: 1000, installed: [], starts: true });
    const out = await run(['--install', '--quiet']);
    expect(out.code).toBe(1);
    expect(await calls('apt-get')).toEqual([]);
    expect(await calls('su')).toEqual([]);
    expect(out.stdout).toBe('');
    const project = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
    expect(out.stderr).toBe(
      [
        `services: PostgreSQL is not reachable on 127.0.0.1:${pgPort} and not installed (installing needs root).`,
        `services: Redis is not reachable on 127.0.0.1:${redisPort} and not installed (installing needs root).`,
        'services: to get them, run either',
        `  docker compose up -d      (in ${project}: both servers in containers, from docker-compose.yml)`,
        'or, on Debian or Ubuntu:',
        '  sudo apt-get update && sudo apt-get install -y postgresql redis-server',
        `  sudo -u postgres psql -c "ALTER USER postgres PASSWORD 'postgres'"   (the password DATABASE_URL's default uses)`,
        'then run the same command again.',
        '',
      ].join('\n'),
    );
  });

  it('without root, starts Redis in a temporary folder and prints the sudo command for PostgreSQL', async () => {
    await machine({ uid: 1000, installed: ['postgresql', 'redis-server'], starts: true });
    const out = await run(['--install', '--quiet']);
    expect(out.code).toBe(1);
    expect(await calls('pg_ctlcluster')).toEqual([]);
    expect((await calls('redis-server'))[0]).toContain(`--dir ${dir}/frontline-redis --logfile ${dir}/frontline-redis/redis.log`);
    expect(out.stdout).toContain(`services: Redis started on 127.0.0.1:${redisPort}`);
    expect(out.stderr).toContain(`services: PostgreSQL is installed but not running on 127.0.0.1:${pgPort}, and only root may start it.`);
    expect(out.stderr).toContain('\n  sudo pg_ctlcluster 15 main start\n');
    expect(out.stderr).not.toContain('apt-get install');
    expect(out.stderr).not.toContain('ALTER USER');
  });

  it('says so when a started server does not open its port', async () => {
    await machine({ uid: 0, installed: ['postgresql', 'redis-server'], starts: false });
    const out = await run(['--install', '--quiet'], 1);
    expect(out.code).toBe(1);
    expect(await calls('apt-get')).toEqual([]);
    expect(await calls('pg_ctlcluster')).toEqual(['--skip-systemctl-redirect 15 main start']);
    expect(out.stderr).toContain(`services: PostgreSQL is installed but did not open 127.0.0.1:${pgPort} within 1 s (see its output above).`);
    expect(out.stderr).toContain(`services: Redis is installed but did not open 127.0.0.1:${redisPort} within 1 s (see its output above).`);
  });

  it('never installs without --install, even as root', async () => {
    await machine({ uid: 0, installed: [], starts: true });
    const out = await run(['--quiet']);
    expect(out.code).toBe(1);
    expect(await calls('apt-get')).toEqual([]);
    expect(out.stderr).toContain('and not installed (installing needs --install).');
    expect(out.stderr).toContain('  sudo apt-get update && sudo apt-get install -y postgresql redis-server\n');
  });

  it('does nothing when both already answer', async () => {
    await machine({ uid: 1000, installed: [], starts: false });
    for (const port of [pgPort, redisPort]) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    }
    const quiet = await run(['--install', '--quiet']);
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
    const verbose = await run(['--install']);
    expect(verbose.stdout).toBe(`services: PostgreSQL is up on 127.0.0.1:${pgPort}\nservices: Redis is up on 127.0.0.1:${redisPort}\n`);
    expect(existsSync(log)).toBe(false);
  });
});

async function executable(path: string, body: string): Promise<void> {
  await writeFile(path, body);
  await chmod(path, 0o755);
}

