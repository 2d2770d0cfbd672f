import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * Every field that could carry a secret, wherever it sits in a log object (README "Configuration":
 * secrets are redacted from every log line). Connector errors never embed secrets in the first
 * place; these paths are the second fence.
 */
export const redactPaths = [
  'secrets',
  '*.secrets',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.headers',
];

export interface LoggerSettings {
  level?: string;
  name?: string;
  /**
   * Human-readable output for the demo and the CLI, one line per entry (coloured only on a terminal);
   * JSON lines otherwise.
   */
  pretty?: boolean;
  /** Where lines go: stdout for JSON lines, stderr for pretty ones, unless given. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    name: settings.name ?? 'frontline',
    redact: { paths: redactPaths, censor: '[redacted]' },
  };
  if (settings.pretty) {
    // In-process and synchronous (not a transport thread): CLI output stays in order and is never lost on exit.
    const destination = settings.destination ?? process.stderr;
    const colorize = Boolean((destination as { isTTY?: boolean }).isTTY);
    const stream = pretty({
      colorize, hideObject: true, messageFormat: fieldsAsPairs, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss',
      sync: true, destination: settings.destination ?? 2,
    });
    return pino(options, stream);
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

const notFields = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/** `message key=value …` on one line; an error shows its message, and its stack when it has one. */
function fieldsAsPairs(log: Record<string, unknown>, messageKey: string): string {
  let line = String(log[messageKey] ?? '');
  let stack = '';
  for (const [key, value] of Object.entries(log)) {
    if (notFields.has(key) || key === messageKey || value === undefined) continue;
    if (typeof value === 'object' && value !== null && 'message' in value) {
      line += ` ${key}=${JSON.stringify(String(value.message))}`;
      if ('stack' in value && typeof value.stack === 'string') stack = `\n${value.stack}`;
    } else {
      line += ` ${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`;
    }
  }
  return line + stack;
}
