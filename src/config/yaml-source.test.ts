import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from './config-issue.ts';
import { parseYamlSource } from './yaml-source.ts';

function issues(text: string): string {
  const result = parseYamlSource('a.yaml', text);
  if (result.ok) throw new Error('expected issues');
  return formatConfigIssues(result.issues);
}

const connector = `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }
connectors:
  - key: zendesk-main
    system: zendesk
    name: Acme Zendesk
    settings:
      auth:
        type: api_token
        email: ops@acme.example
        email: other@acme.example
    secrets: { token: { env: ZENDESK_API_TOKEN } }
`;

describe('parseYamlSource: repeated keys', () => {
  it('names the path of the repeated key, its position and the line of the first occurrence', () => {
    expect(issues(connector)).toBe(
      "a.yaml:10:9 connectors[0].settings.auth.email: duplicate key 'email' (first defined at line 9) — fix: remove the repeated 'email:' or merge it into the first (a key may appear once per mapping)",
    );
  });

  it('finds repeats in flow mappings and at the top level, each one reported', () => {
    expect(issues('organization: { key: acme, name: A, key: b }\nrules: []\nrules: []\n').split('\n')).toEqual([
      "a.yaml:1:37 organization.key: duplicate key 'key' (first defined at line 1) — fix: remove the repeated 'key:' or merge it into the first (a key may appear once per mapping)",
      "a.yaml:3:1 rules: duplicate key 'rules' (first defined at line 2) — fix: remove the repeated 'rules:' or merge it into the first (a key may appear once per mapping)",
    ]);
  });
});

describe('parseYamlSource: follow-on errors', () => {
  const lines = connector.replace('        email: other@acme.example\n', '').split('\n');
  const withLine = (i: number, line: string) => lines.map((l, j) => (j === i ? line : l)).join('\n');

  it('reports one tab in the indentation as exactly one issue at the tab', () => {
    // Line 5 (`name:`) indented with a tab: the yaml library reports a cascade after the real error.
    expect(issues(withLine(4, '\tname: Acme Zendesk'))).toBe('a.yaml:5:1: tabs are not allowed for indentation in YAML — fix: indent with spaces');
    expect(issues(withLine(4, '\t\tname: Acme Zendesk'))).toBe('a.yaml:5:1: tabs are not allowed for indentation in YAML — fix: indent with spaces');
    // After spaces the library calls it a bad indent; the tab is still the cause, and its column is named.
    expect(issues(withLine(4, '  \tname: Acme Zendesk'))).toBe('a.yaml:5:3: tabs are not allowed for indentation in YAML — fix: indent with spaces');
    expect(issues('list:\n  - a\n\t- b\n')).toBe('a.yaml:3:1: tabs are not allowed for indentation in YAML — fix: indent with spaces');
  });

  it('does not quote the line holding the tab (it may hold a secret)', () => {
    const text = issues(withLine(10, '\tsecrets: { token: "s3cr3t-Value-123" }'));
    expect(text).toBe('a.yaml:11:1: tabs are not allowed for indentation in YAML — fix: indent with spaces');
  });

  it('reports only the first of a cascade of syntax errors', () => {
    // A dedented key: the library also reports "Nested mappings…" and "Implicit keys…" for the lines after it.
    expect(issues('a:\n  b: 1\n c: 2\n  d: 3\n  e: 4\n')).toMatch(/^a\.yaml:3:1: YAML syntax error: All mapping items must start at the same column — fix: correct the YAML at this position/);
    expect(issues('a:\n  b: 1\n c: 2\n  d: 3\n  e: 4\n').split('\n')).toHaveLength(1);
  });

  it('keeps a repeated key before the first syntax error, drops what follows it', () => {
    expect(issues('a:\n  b: 1\n  b: 2\n\tc: 3\n  c: 4\n').split('\n')).toEqual([
      "a.yaml:3:3 a.b: duplicate key 'b' (first defined at line 2) — fix: remove the repeated 'b:' or merge it into the first (a key may appear once per mapping)",
      'a.yaml:4:1: tabs are not allowed for indentation in YAML — fix: indent with spaces',
    ]);
  });

  it('accepts a tab that is not indentation', () => {
    expect(parseYamlSource('a.yaml', 'organization:\n  key:\tacme\n  note: |\n    line one\n    \tindented content\n').ok).toBe(true);
  });
});

describe('parseYamlSource: empty files', () => {
  const empty = "a.yaml: is empty: a config file needs at least one of `organization:`, `connectors:`, `drivers:`, `rules:` — fix: start with `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }` (see Configuration in README.md), or leave this file out";

  it.each([
    ['zero bytes', ''],
    ['only whitespace', '  \n\n\t\n'],
    ['only comments', '# yaml-language-server: $schema=frontline.schema.json\n\n# nothing yet\n'],
    ['only a document marker', '---\n'],
    ['only a null', '~\n'],
  ])('reports a file with %s as empty', (_, text) => {
    expect(issues(text)).toBe(empty);
  });
});
