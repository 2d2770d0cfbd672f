import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * Every field that could carry a secret, wherever it sits in a log object (DESIGN.md "Secrets").
 * Connector errors never embed secrets in the first place; these paths are the second fence.
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
  /** Human-readable output for the demo and the CLI; JSON lines otherwise. */
  pretty?: boolean;
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
    const stream = pretty({ colorize: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss', sync: true, destination: 2 });
    return pino(options, stream);
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
