import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatConfigIssues } from './config-issue.ts';
import { type LoadResult, loadConfig } from './load-config.ts';

/** Stand-in for a connector module's settings schema and secretNames (config never imports connectors). */
const zendeskSpec = {
  settingsSchema: z.strictObject({
    auth: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('api_token'), email: z.email() }),
      z.strictObject({ type: z.literal('oauth'), clientId: z.string().min(1) }),
    ]),
    pageSize: z.number().int().default(1000),
  }),
  secretNames: (settings: unknown) => {
    const parsed = z.object({ auth: z.object({ type: z.string() }) }).parse(settings);
    return parsed.auth.type === 'oauth' ? ['clientSecret', 'refreshToken'] : ['token'];
  },
};

const org = 'organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }\n';
const connector = (extra = '', key = 'zendesk-main') => `connectors:
  - key: ${key}
    system: zendesk
    name: Acme Zendesk
    baseUrl: https://acme.zendesk.com/
    syncEvery: 5m
    backfillSince: 2026-01-01
    settings: { auth: { type: api_token, email: ops@acme.example } }
    secrets: { token: { env: ZENDESK_API_TOKEN } }
${extra}`;
const drivers = `drivers:
  - { key: configuration/sso, name: SSO configuration, owningFunction: engineering, owners: [team-identity] }
  - { key: billing/refund, name: Refunds, owningFunction: finance }
`;
const rules = `rules:
  - { key: sso-dropdown, driver: configuration/sso, when: { field: { id: "360000001001", equals: cr_sso } } }
`;

async function load(files: Record<string, string>, env: NodeJS.ProcessEnv = { ZENDESK_API_TOKEN: 'x' }): Promise<LoadResult> {
  const read = async (file: string) => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
  return loadConfig(Object.keys(files), env, { connectors: { zendesk: zendeskSpec }, read });
}

async function issues(files: Record<string, string>): Promise<string> {
  const result = await load(files);
  if (result.ok) throw new Error('expected issues');
  return formatConfigIssues(result.issues);
}

describe('loadConfig', () => {
  it('merges files in order and normalises connectors', async () => {
    const result = await load({
      'org.yaml': org + drivers + rules,
      'connectors.yaml': connector(),
      'more-rules.yaml': 'rules:\n  - { key: refund-tag, driver: billing/refund, when: { tag: refund } }\n',
    });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.warnings).toEqual([]);
    expect(result.config.organization).toEqual({ key: 'acme', name: 'Acme Corp', timeZone: 'Europe/Berlin', reportingCadence: null });
    expect(result.config.sources).toEqual(['org.yaml', 'connectors.yaml', 'more-rules.yaml']);
    expect(result.config.taxonomy.rules.map((r) => r.key)).toEqual(['sso-dropdown', 'refund-tag']);
    expect(result.taxonomy.rules).toHaveLength(2);
    expect(result.config.connectors).toEqual([{
      key: 'zendesk-main', system: 'zendesk', name: 'Acme Zendesk', baseUrl: 'https://acme.zendesk.com', allowInsecureBaseUrl: false,
      enabled: true, syncEverySeconds: 300, backfillSince: '2026-01-01T00:00:00.000Z',
      settings: { auth: { type: 'api_token', email: 'ops@acme.example' }, pageSize: 1000 },
      secrets: { token: { env: 'ZENDESK_API_TOKEN' } },
      origin: { file: 'connectors.yaml', path: 'connectors[0]', line: 2, column: 5 },
    }]);
  });

  it('formats issues as file:line:col path: message — fix', async () => {
    const text = await issues({ 'frontline.yaml': org + connector().replace('https://acme.zendesk.com/', 'http://acme.zendesk.com') });
    expect(text).toBe('frontline.yaml:6:14 connectors[0].baseUrl: must be https (got http://acme.zendesk.com) — fix: use https:// or set allowInsecureBaseUrl: true for a local simulator');
  });

  it('reports YAML syntax errors with line and column', async () => {
    expect(await issues({ 'a.yaml': 'organization:\n  key: acme\n name: x\n' })).toMatch(/^a\.yaml:3:1: YAML syntax error: .* — fix: correct the YAML/);
    expect(await issues({ 'a.yaml': 'organization: {}\norganization: {}\n' })).toMatch(/^a\.yaml:2:1 organization: duplicate key 'organization' \(first defined at line 1\) — fix: remove the repeated 'organization:'/);
  });

  it('names the path of a repeated key and where it was first defined', async () => {
    const text = await issues({ 'a.yaml': org + connector().replace('{ auth: { type: api_token, email: ops@acme.example } }', '\n      auth:\n        type: api_token\n        email: ops@acme.example\n        email: ops2@acme.example') });
    expect(text).toBe("a.yaml:13:9 connectors[0].settings.auth.email: duplicate key 'email' (first defined at line 12) — fix: remove the repeated 'email:' or merge it into the first (a key may appear once per mapping)");
  });

  it('reports a tab in the indentation once, without the errors that follow from it', async () => {
    const text = await issues({ 'a.yaml': org + connector().replace('    syncEvery: 5m', '\tsyncEvery: 5m') });
    expect(text).toBe('a.yaml:7:1: tabs are not allowed for indentation in YAML — fix: indent with spaces');
  });

  it('reports an empty file as empty, also when other files hold the configuration', async () => {
    const empty = /^b\.yaml: is empty: a config file needs at least one of `organization:`.* — fix: start with `organization: \{/;
    expect(await issues({ 'b.yaml': '' })).toMatch(empty);
    expect(await issues({ 'b.yaml': '# to do\n' })).toMatch(empty);
    expect(await issues({ 'a.yaml': org + connector(), 'b.yaml': '\n  \n' })).toMatch(empty);
  });

  it('names a file that does not exist', async () => {
    const missing = join(tmpdir(), 'frontline-no-such-dir', 'frontline.yaml');
    const result = await loadConfig([missing], {});
    expect(result.ok ? [] : result.issues).toEqual([{ file: missing, path: '', message: 'file not found', fix: expect.stringContaining('check the path') }]);
  });

  it('points at an unknown key and suggests the closest known one', async () => {
    const text = await issues({ 'a.yaml': org + connector().replace('    syncEvery: 5m', '    syncEvry: 5m') });
    expect(text).toBe("a.yaml:7:5 connectors[0].syncEvry: unknown key 'syncEvry' — fix: did you mean 'syncEvery'?");
  });

  it('refuses an inline secret without echoing it', async () => {
    const text = await issues({ 'a.yaml': org + connector().replace('{ token: { env: ZENDESK_API_TOKEN } }', '{ token: "s3cr3t-Value-123" }') });
    expect(text).toContain('a.yaml:10:23 connectors[0].secrets.token: secrets.token must reference an environment variable: { env: NAME }');
    expect(text).not.toContain('s3cr3t');
  });

  it('refuses credentials in the base URL without echoing them', async () => {
    const text = await issues({ 'a.yaml': org + connector().replace('https://acme.zendesk.com/', 'https://ops:hunter22@acme.zendesk.com') });
    expect(text).toContain('connectors[0].baseUrl: must not contain credentials');
    expect(text).not.toContain('hunter22');
  });

  it('checks the base URL: private hosts, and http on public hosts even when insecure is allowed', async () => {
    const privateHost = await issues({ 'a.yaml': org + connector().replace('https://acme.zendesk.com/', 'https://192.168.1.20') });
    expect(privateHost).toContain('points to a loopback or private address (192.168.1.20) — fix: use the service desk\'s public URL, or set allowInsecureBaseUrl: true');
    const insecurePublic = await issues({ 'a.yaml': org + connector('    allowInsecureBaseUrl: true\n').replace('https://acme.zendesk.com/', 'http://acme.zendesk.com') });
    expect(insecurePublic).toContain('must be https for a public host');
    const notUrl = await issues({ 'a.yaml': org + connector().replace('https://acme.zendesk.com/', 'acme.zendesk.com') });
    expect(notUrl).toContain('connectors[0].baseUrl: is not a valid absolute URL');
    const simulator = await load({ 'a.yaml': org + connector('    allowInsecureBaseUrl: true\n').replace('https://acme.zendesk.com/', 'http://127.0.0.1:4010') });
    expect(simulator.ok).toBe(true);
  });

  it('rejects a bad syncEvery, an unknown system and an unknown time zone with suggestions', async () => {
    const text = await issues({ 'a.yaml': org.replace('Europe/Berlin', 'Europe/Berln') + connector().replace('5m', '5 minutes').replace('system: zendesk', 'system: zendsk') });
    expect(text.split('\n')).toEqual([
      "a.yaml:1:55 organization.timeZone: is not an IANA time zone (got 'Europe/Berln') — fix: use a name such as Europe/Berlin or UTC",
      "a.yaml:4:13 connectors[0].system: must be one of: zendesk, servicenow, jira — fix: did you mean 'zendesk'?",
      "a.yaml:7:16 connectors[0].syncEvery: is not a duration (got '5 minutes') — fix: write seconds (300) or a duration such as 30s, 5m, 1h, 1h30m",
    ]);
  });

  it('rejects duplicate connector keys across files, naming where the first is', async () => {
    const text = await issues({ 'a.yaml': org + connector(), 'b.yaml': connector() });
    expect(text).toBe("b.yaml:2:10 connectors[0].key: duplicate connector key 'zendesk-main' (first in a.yaml:3:5) — fix: give each connector a unique key");
  });

  it('reports a rule naming an unknown driver in the file and position it was written', async () => {
    const text = await issues({ 'a.yaml': org + drivers + rules, 'b.yaml': 'rules:\n  - { key: x, driver: configuration/ssso, when: { tag: x } }\n' });
    expect(text).toBe("b.yaml:2:23 rules[0].driver: refers to unknown driver 'configuration/ssso' — fix: did you mean 'configuration/sso'?");
  });

  it('reports duplicate rule keys across files with the first location', async () => {
    const text = await issues({ 'a.yaml': org + drivers + rules, 'b.yaml': rules });
    expect(text).toBe("b.yaml:2:12 rules[0].key: duplicate rule key 'sso-dropdown' (first in a.yaml:6:5) — fix: give each rule a unique key");
  });

  it('rejects an invalid regex and an empty condition', async () => {
    const text = await issues({ 'a.yaml': `${org}${drivers}rules:\n  - { key: a, driver: billing/refund, when: { subject: { matches: "re(fund" } } }\n  - { key: b, driver: billing/refund, when: {} }\n` });
    expect(text).toContain('a.yaml:6:67 rules[0].when.subject.matches: is not a valid regular expression');
    expect(text).toContain('a.yaml:7:45 rules[1].when: is an empty condition');
  });

  it("validates settings against the connector's schema and the secrets it requires", async () => {
    const badEmail = await issues({ 'a.yaml': org + connector().replace('email: ops@acme.example', 'email: not-an-email') });
    expect(badEmail).toMatch(/^a\.yaml:9:49 connectors\[0\]\.settings\.auth\.email: .* — fix: /);
    const oauth = await issues({ 'a.yaml': org + connector().replace('{ type: api_token, email: ops@acme.example }', '{ type: oauth, clientId: abc }') });
    expect(oauth.split('\n')).toEqual([
      "a.yaml:10:14 connectors[0].secrets: is missing secret 'clientSecret', required by these zendesk settings — fix: add `clientSecret: { env: SOME_VARIABLE }` under secrets",
      "a.yaml:10:14 connectors[0].secrets: is missing secret 'refreshToken', required by these zendesk settings — fix: add `refreshToken: { env: SOME_VARIABLE }` under secrets",
    ]);
    const secretInSettings = await issues({ 'a.yaml': org + connector().replace('email: ops@acme.example', 'email: ops@acme.example, token: abc123') });
    expect(secretInSettings).toContain("unknown key 'token' — fix: remove it: secrets go under the connector's `secrets:`");
    expect(secretInSettings).not.toContain('abc123');
  });

  it('reports a system no connector module was given for', async () => {
    const result = await loadConfig(['a.yaml'], {}, { connectors: {}, read: async () => org + connector() });
    expect(result.ok ? '' : formatConfigIssues(result.issues)).toContain("connectors[0].system: no 'zendesk' connector is available in this build (available: none)");
  });

  it('requires one organization and refuses two different ones', async () => {
    expect(await issues({ 'a.yaml': connector() })).toBe('a.yaml organization: is required (in one of the files) — fix: add `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }`');
    expect(await issues({ 'a.yaml': org, 'b.yaml': org.replace('Acme Corp', 'Acme Inc') })).toBe('b.yaml:1:1 organization: differs from the organization in a.yaml:1:15 — fix: declare the organization in one file only');
  });

  it('warns (without failing) about secret variables that are not set, and unused secrets', async () => {
    const result = await load({ 'a.yaml': org + connector().replace('{ token: { env: ZENDESK_API_TOKEN } }', '{ token: { env: ZENDESK_API_TOKEN }, extra: { env: EXTRA } }') }, {});
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(formatConfigIssues(result.warnings).split('\n')).toEqual([
      "a.yaml:3:5 connectors[0].secrets.token: environment variable ZENDESK_API_TOKEN is not set (secret 'token' of connector 'zendesk-main') — fix: set ZENDESK_API_TOKEN in the environment of `frontline config apply` and of the service",
      "a.yaml:3:5 connectors[0].secrets.extra: environment variable EXTRA is not set (secret 'extra' of connector 'zendesk-main') — fix: set EXTRA in the environment of `frontline config apply` and of the service",
      "a.yaml:10:51 connectors[0].secrets.extra: secret 'extra' is not used by these zendesk settings — fix: remove it, or check the auth settings",
    ]);
  });

  it('fails when no file is given', async () => {
    const result = await loadConfig([], {});
    expect(result.ok).toBe(false);
  });
});
