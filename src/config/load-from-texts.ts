import { formatConfigIssues } from './config-issue.ts';
import { type LoadResult, loadConfig } from './load-config.ts';

/**
 * Loads configuration files given as texts by name (`{ 'org.yaml': '…' }`, in that order), as
 * `loadConfig` reads them from disk: for the config tests, and for anything that holds config in memory.
 */
export function loadConfigTexts(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<LoadResult> {
  return loadConfig(Object.keys(files), env, { read: async (file) => files[file] ?? '' });
}

/** The issues loading them reports, one formatted line each (file:line:column path: message — fix); throws if they load. */
export async function configTextIssues(files: Record<string, string>): Promise<string[]> {
  const result = await loadConfigTexts(files);
  if (result.ok) throw new Error('expected issues');
  return formatConfigIssues(result.issues).split('\n');
}
