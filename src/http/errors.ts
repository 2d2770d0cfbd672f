import { z } from 'zod';

/**
 * The one catalogue of coded API errors (after fastify's lib/errors.js): every non-2xx body is
 * `{ error: { code, message, details? }, requestId }`. Only the codes below ever leave the process;
 * anything else becomes FL_INTERNAL with the real error in the log only.
 */
export const errorCatalogue = {
  FL_BAD_REQUEST: { statusCode: 400, description: 'The request could not be read (e.g. malformed JSON, unsupported media type, an undecodable URL) or holds a value the database cannot use.' },
  FL_VALIDATION: { statusCode: 400, description: 'A parameter failed validation; `details` lists each problem by path.' },
  FL_UNAUTHORIZED: { statusCode: 401, description: 'Missing, unknown, expired or revoked API token.' },
  FL_FORBIDDEN: { statusCode: 403, description: "The token's role may not do this." },
  FL_NOT_FOUND: { statusCode: 404, description: 'No such route, or no such resource in your organizations.' },
  FL_CONFLICT: { statusCode: 409, description: 'The request is ambiguous or conflicts with the current state.' },
  FL_INTERVENTION_NOT_FOUND: { statusCode: 404, description: 'No such intervention item in your organizations.' },
  FL_INVALID_TRANSITION: { statusCode: 409, description: "The item's status does not allow this action; the body also names the `status` and the `allowed` actions." },
  FL_RELEASE_EXISTS: { statusCode: 409, description: 'A release with this key exists in the organization.' },
  FL_MEASURE_NOT_FOUND: { statusCode: 404, description: 'No such measure (or milestone, or EBITDA entry of it) in the organization.' },
  FL_GATE_REFUSED: { statusCode: 409, description: "The stage gate's entry criteria are not met, or the move is not allowed from the measure's stage; `details` names each problem (`criteria.<name>` or the rule)." },
  FL_SEGREGATION_OF_DUTIES: { statusCode: 403, description: "The acting person may not do this to the measure (owner, sponsor and controller duties stay apart); `details` says which rule." },
  FL_NO_PERSON: { statusCode: 403, description: 'Governance decisions are made by people: the token acts for no person of this organization (`frontline tokens create --person <email>`).' },
  FL_RATE_LIMITED: { statusCode: 429, description: 'Too many requests for this API token (or, without a token, this client address) in the current window; `retry-after` says how many seconds to wait, `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` describe the window.' },
  FL_UNAVAILABLE: { statusCode: 503, description: 'A dependency (PostgreSQL, Redis) is unavailable; retry later.' },
  FL_INTERNAL: { statusCode: 500, description: 'An unexpected error; the request id finds it in the log.' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.code = code;
    this.statusCode = errorCatalogue[code].statusCode;
    this.details = details;
  }
}

export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;

export const unauthorized = (message: string): HttpError => new HttpError('FL_UNAUTHORIZED', message);
export const forbidden = (message: string): HttpError => new HttpError('FL_FORBIDDEN', message);
export const notFound = (message: string): HttpError => new HttpError('FL_NOT_FOUND', message);
export const conflict = (message: string): HttpError => new HttpError('FL_CONFLICT', message);
export const validationFailed = (message: string, details: ErrorDetail[]): HttpError => new HttpError('FL_VALIDATION', message, details);
export const unavailable = (message: string, details?: ErrorDetail[]): HttpError => new HttpError('FL_UNAVAILABLE', message, details);

const codes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/** Response schema of every error, for the OpenAPI document and the serializer. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
    requestId: z.string(),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: ErrorDetail[]): ErrorBody {
  return details === undefined ? { error: { code, message }, requestId } : { error: { code, message, details }, requestId };
}

/** Standard error responses to merge into a route's `response` schema. */
export function errorResponses<const S extends readonly number[]>(...statuses: S): Record<S[number], typeof errorBodySchema> {
  const out: Record<number, typeof errorBodySchema> = {};
  for (const status of statuses) out[status] = errorBodySchema;
  return out;
}
