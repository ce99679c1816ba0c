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

/** The client was closed (or not connected yet) when a command was issued or while it waited. */
export class ClientClosedError extends HitlessError {
  constructor(message = 'the client is closed') {
    super(message, 'ERR_CLIENT_CLOSED');
  }
}

/** A command was given an argument that cannot be sent (undefined, an object, NaN, …). */
export class InvalidArgumentError extends HitlessError {
  constructor(message: string) {
    super(message, 'ERR_INVALID_ARGUMENT');
  }
}

/**
 * How an error message shows a value it rejects. Text may come from a server, so it is quoted,
 * escaped (no line breaks reach a log) and cut to 64 characters.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const text = value.toString();
    return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
  }
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Error) return 'an error';
  return typeof value === 'object' ? 'an object' : String(value);
}
