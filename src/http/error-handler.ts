import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, type ErrorDetail, errorBody, isHttpError } from './errors.ts';

/**
 * The one error handler and the not-found handler (after fastify's lib/errors.js and
 * docs/Reference/Errors.md). Coded errors go out as they are; schema validation becomes
 * FL_VALIDATION with one detail per zod issue; fastify's own client errors (bad JSON, wrong media
 * type) keep their status as FL_BAD_REQUEST; a PostgreSQL data exception a request value causes
 * (e.g. NUL in a string) is a 400 FL_BAD_REQUEST, logged as a warning; everything else is masked as
 * FL_INTERNAL and logged with the request id, never sent.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    send(reply, request, { statusCode: 404, code: 'FL_NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found` }),
  );
}

/**
 * For Fastify's `frameworkErrors` server option: the router answers a path it cannot decode
 * (FST_ERR_BAD_URL, e.g. `/api/v1/connectors/%ED%A0%80`) or an over-long path parameter
 * (FST_ERR_MAX_PARAM_LENGTH) before any hook or handler runs, with its own body, unless that option
 * hands the error to a function (Fastify docs, Server "frameworkErrors"). This one answers with the
 * coded body.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  handleError(error, request, reply);
}

function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = toResponse(error);
  if (response.statusCode >= 500 && response.code === 'FL_INTERNAL') {
    request.log.error({ err: error }, 'request failed');
  } else if (response.sqlState !== undefined) {
    // A 400 for the caller, but a parameter schema (src/http/params.ts) should have refused the value:
    // keep the real error in the log.
    request.log.warn({ err: error, sqlState: response.sqlState }, 'PostgreSQL refused a request value');
  } else {
    request.log.info({ code: response.code, statusCode: response.statusCode }, response.message);
  }
  return send(reply, request, response);
}

interface ErrorResponse {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  /** Set when PostgreSQL refused a value (logged, never sent). */
  sqlState?: string;
}

function send(reply: FastifyReply, request: FastifyRequest, response: ErrorResponse): FastifyReply {
  return reply
    .code(response.statusCode)
    // Also set by build-app.ts's onSend hook, which does not run for replies made by `frameworkErrors`.
    .header('x-request-id', request.id)
    .type('application/json; charset=utf-8')
    .send(errorBody(response.code, response.message, request.id, response.details));
}

function toResponse(error: unknown): ErrorResponse {
  if (isHttpError(error)) {
    const base = { statusCode: error.statusCode, code: error.code, message: error.message };
    return error.details === undefined ? base : { ...base, details: error.details };
  }
  if (isValidationError(error)) {
    const context = error.validationContext ?? 'request';
    return {
      statusCode: 400,
      code: 'FL_VALIDATION',
      message: `Invalid ${context}: ${error.validation.length} problem${error.validation.length === 1 ? '' : 's'}`,
      details: error.validation.map((v) => ({ path: toPath(v.instancePath, context), message: v.message ?? 'invalid' })),
    };
  }
  if (isFastifyClientError(error)) {
    return { statusCode: error.statusCode, code: error.statusCode === 404 ? 'FL_NOT_FOUND' : 'FL_BAD_REQUEST', message: error.message };
  }
  const sqlState = postgresSqlState(error);
  if (sqlState !== undefined && VALUE_DATA_EXCEPTIONS.has(sqlState)) {
    return { statusCode: 400, code: 'FL_BAD_REQUEST', message: 'A request value cannot be stored or compared (out of range, or a character such as NUL)', sqlState };
  }
  return { statusCode: 500, code: 'FL_INTERNAL', message: 'Internal error' };
}

/**
 * Data exceptions (SQLSTATE class 22) that a value sent by the caller causes (PostgreSQL docs,
 * Appendix A "PostgreSQL Error Codes"): string_data_right_truncation, numeric_value_out_of_range,
 * invalid_datetime_format, datetime_field_overflow, character_not_in_repertoire (NUL),
 * invalid_text_representation, untranslatable_character. The rest of class 22 (division_by_zero,
 * invalid_parameter_value such as an unknown time zone, invalid_regular_expression, …) comes from our
 * own SQL or stored data and stays a 500.
 */
const VALUE_DATA_EXCEPTIONS: ReadonlySet<string> = new Set(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05']);

/**
 * The SQLSTATE of a PostgreSQL error: a Prisma error through the pg driver adapter carries it as
 * `meta.driverAdapterError.cause.originalCode`; node-postgres's DatabaseError as `code` (with a
 * `severity`). Read structurally, so src/http imports neither Prisma nor pg.
 */
function postgresSqlState(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = field(field(field(error, 'meta'), 'driverAdapterError'), 'cause');
  const state = field(cause, 'originalCode') ?? ('severity' in error ? field(error, 'code') : undefined);
  return typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) ? state : undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

type ValidationError = FastifyError & Required<Pick<FastifyError, 'validation'>>;

function isValidationError(error: unknown): error is ValidationError {
  return error instanceof Error && 'validation' in error && Array.isArray(error.validation) && error.validation.length > 0;
}

/** Fastify's own FST_* errors below 500 carry safe, fixed messages (see fastify lib/errors.js). */
function isFastifyClientError(error: unknown): error is FastifyError & { statusCode: number } {
  if (!(error instanceof Error) || !('code' in error) || !('statusCode' in error)) return false;
  const { code, statusCode } = error;
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/** `/from` → `from`, `/items/0/id` → `items.0.id`; a whole-object problem is named by its context. */
function toPath(instancePath: string, context: string): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  return path === '' ? context : path;
}
