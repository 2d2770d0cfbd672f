import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, type ErrorDetail, errorBody, isHttpError } from './errors.ts';

/**
 * The one error handler and the not-found handler (STYLE.md principle 12). Coded errors go out as
 * they are; schema validation becomes FL_VALIDATION with one detail per zod issue; fastify's own
 * client errors (bad JSON, wrong media type) keep their status as FL_BAD_REQUEST; everything else is
 * masked as FL_INTERNAL and logged with the request id, never sent.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const response = toResponse(error);
    if (response.statusCode >= 500 && response.code === 'FL_INTERNAL') {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: response.code, statusCode: response.statusCode }, response.message);
    }
    return send(reply, request, response);
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, request, { statusCode: 404, code: 'FL_NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found` }),
  );
}

interface ErrorResponse {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
}

function send(reply: FastifyReply, request: FastifyRequest, response: ErrorResponse): FastifyReply {
  return reply
    .code(response.statusCode)
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
  return { statusCode: 500, code: 'FL_INTERNAL', message: 'Internal error' };
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
