/**
 * Every error response has this shape, whatever the domain. Clients switch on
 * `code`; `message` is for people; `details` names offending fields.
 */
export interface ErrorDetail {
  path?: string;
  code?: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: ErrorDetail[];
    requestId?: string;
  };
}

/** Error codes shared by every domain. Domain-specific codes live beside their schemas. */
export const CommonErrorCode = {
  ValidationFailed: 'validation_failed',
  MalformedJson: 'malformed_json',
  /** A string holds a character no column can store (NUL, a lone UTF-16 surrogate). */
  InvalidText: 'invalid_text',
  /** Arrays and objects nested deeper than the documented limit (64 levels). */
  JsonTooDeep: 'json_too_deep',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RateLimited: 'rate_limited',
  /** The database cannot be reached right now (restarting, failing over): retry after `Retry-After` seconds. */
  DatabaseUnavailable: 'database_unavailable',
  Internal: 'internal_error',
} as const;
