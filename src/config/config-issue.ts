/**
 * One problem in the configuration: where (file, path, line, column), what, and what to do. Messages
 * never contain a secret value: at most the name of the variable that should hold it.
 */
export interface ConfigIssue {
  file: string;
  /** `connectors[0].secrets.token`; empty for the file as a whole. */
  path: string;
  line?: number;
  column?: number;
  message: string;
  fix: string;
}

/** `frontline.yaml:12:7 connectors[0].baseUrl: must be https (…) — fix: use https:// …`, one per line. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map(formatConfigIssue).join('\n');
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const subject = issue.path === '' ? where : `${where} ${issue.path}`;
  return `${subject}: ${issue.message} — fix: ${issue.fix}`;
}

/** Files in the order given, then by position: the order a reader fixes them in. */
export function sortConfigIssues(issues: readonly ConfigIssue[], files: readonly string[]): ConfigIssue[] {
  const rank = (file: string) => {
    const i = files.indexOf(file);
    return i === -1 ? files.length : i;
  };
  return [...issues].sort((a, b) => rank(a.file) - rank(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
