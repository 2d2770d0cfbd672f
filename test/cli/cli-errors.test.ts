import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));
const demoConfig = fileURLToPath(new URL('../../src/main/demo/frontline.demo.yaml', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Bad input from an operator: a clear message naming what to fix, an exit code, never a stack trace. */
describe('the frontline CLI on bad input', () => {
  let db: TestDatabase;
  let dir: string;
  const frontline = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'frontline-cli-'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('names file, line, path and fix for an invalid config, and applies nothing', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'organization: { key: acme, name: Acme, timeZone: Europe/Berlin }',
        'connectors:',
        '  - key: zendesk-main',
        '    system: zendesk',
        '    name: Zendesk',
        '    baseUrl: http://acme.zendesk.com',
        '    settings: { auth: { type: api_token, email: ops@acme.example } }',
        '    secrets: { token: "abc123-inline-secret" }',
        'drivers:',
        '  - { key: configuration/sso, name: SSO, owningFunction: engineering }',
        'rules:',
        '  - { key: r1, driver: configuration/ssso, when: { tag: sso } }',
        '',
      ].join('\n'),
    );
    const outcome = await frontline(['config', 'apply', file]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(new RegExp(`${file}:8:\\d+ connectors\\[0\\]\\.secrets\\.token: .*environment variable.* — fix: `));
    expect(outcome.stderr).not.toContain('abc123-inline-secret');
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    // With the secret referenced properly, the checks across fields and files speak up.
    await writeFile(file, (await readFile(file, 'utf8')).replace('{ token: "abc123-inline-secret" }', '{ token: { env: ZENDESK_TOKEN } }'));
    const second = await frontline(['config', 'apply', file], { ZENDESK_TOKEN: 'x' });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`${file}:6:\\d+ connectors\\[0\\]\\.baseUrl: .*https`));
    expect(second.stderr).toContain('nothing was applied');
    // Rules are checked against the drivers once every file parses: a typo gets a suggestion.
    await writeFile(file, (await readFile(file, 'utf8')).replace('http://acme', 'https://acme'));
    const third = await frontline(['config', 'apply', file], { ZENDESK_TOKEN: 'x' });
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(new RegExp(`${file}:12:\\d+ rules\\[0\\]\\.driver: .*'configuration/ssso' — fix: did you mean 'configuration/sso'`));
    expect(await db.prisma.organization.count()).toBe(0);
  });

  it('says which file is missing', async () => {
    const outcome = await frontline(['config', 'validate', join(dir, 'nope.yaml')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('nope.yaml');
  });

  it('validates the demo config and tells which secret variable is not set', async () => {
    const outcome = await frontline(['config', 'validate', demoConfig]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/valid — organization acme, 1 connector\(s\), 8 driver\(s\), 24 rule\(s\)/);
    expect(outcome.stderr).toContain('FRONTLINE_DEMO_ZENDESK_TOKEN');
  });

  it('rejects an unknown connector with the list of known ones', async () => {
    const applied = await frontline(['config', 'apply', demoConfig], { FRONTLINE_DEMO_ZENDESK_TOKEN: 'x', FRONTLINE_SECRET_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/organization created/);
    const outcome = await frontline(['connectors', 'sync', 'zendesk-prod']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('unknown connector "zendesk-prod"');
    expect(outcome.stderr).toContain('acme/zendesk-demo');
  });

  it('explains a missing secret key instead of crashing', async () => {
    const outcome = await frontline(['config', 'apply', demoConfig], { FRONTLINE_DEMO_ZENDESK_TOKEN: 'x', FRONTLINE_SECRET_KEYS: '' });
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain('FRONTLINE_SECRET_KEYS');
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });
});
