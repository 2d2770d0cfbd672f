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

/** Query keys whose values are never logged, whatever a client puts there. */
const SECRET_QUERY_KEY = /token|secret|password|passwd|key|auth|signature|session|code|credential/i;

/**
 * A request target as it may be logged: credentials in an absolute-form target
 * (`http://user:pw@host/…`) and the values of secret-looking query keys replaced by `[redacted]`.
 */
export function loggableUrl(url: string): string {
  const withoutCredentials = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1[redacted]@');
  const query = withoutCredentials.indexOf('?');
  if (query === -1) return withoutCredentials;
  const params = withoutCredentials.slice(query + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // An undecodable name is judged as written.
    }
    return eq !== -1 && SECRET_QUERY_KEY.test(decoded) ? `${name}=[redacted]` : pair;
  });
  return `${withoutCredentials.slice(0, query)}?${params.join('&')}`;
}

/** Fastify's request serializer, with the target and host cleaned of credentials (`user:pw@host`). */
const requestSerializer = (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }): object => ({
  method: req.method,
  url: typeof req.url === 'string' ? loggableUrl(req.url) : req.url,
  host: typeof req.host === 'string' ? req.host.replace(/^[^@]*@/, '[redacted]@') : req.host,
  remoteAddress: req.ip,
  remotePort: req.socket?.remotePort,
});

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    name: settings.name ?? 'frontline',
    redact: { paths: redactPaths, censor: '[redacted]' },
    // Fastify logs `req` with these (the logger's own serializers win over its defaults).
    serializers: { req: requestSerializer },
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
