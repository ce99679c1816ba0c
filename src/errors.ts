/**
 * The root of every error hitless throws. Each subclass has a stable `name` and `code`, so callers
 * can branch on `err.code` without string-matching messages; the message names the endpoint
 * (host:port) or the option involved.
 */
export class HitlessError extends Error {
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** An option given to `createClient` (or another factory) is invalid. `field` names it. */
export class ConfigError extends HitlessError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`invalid option "${field}": ${message}`, 'ERR_CONFIG');
    this.field = field;
  }
}
