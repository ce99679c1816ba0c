/**
 * How an error is described in metrics and spans: `error.type`, `db.response.status_code`, and
 * the observability spec's `redis.client.errors.category` and `.internal`. Instrumentation knows
 * only the hooks, so errors are read by their fields: every hitless error has a stable `code`,
 * and a server's error (ReplyError) also its `serverMessage`.
 */

export type ErrorCategory = 'network' | 'tls' | 'auth' | 'server' | 'other';

export interface ErrorDescription {
  /** The server's prefix (`WRONGTYPE`) for server errors, our stable code (`ERR_TIMEOUT`) for ours, else the class name. */
  readonly type: string;
  /** The server's prefix, for server errors only. */
  readonly statusCode: string | undefined;
  readonly category: ErrorCategory;
  /** Raised by the client itself rather than answered by the server. */
  readonly internal: boolean;
}

const AUTH_PREFIXES: ReadonlySet<string> = new Set(['NOAUTH', 'WRONGPASS', 'NOPERM']);

export function describeError(error: Error): ErrorDescription {
  const { code, serverMessage } = error as { code?: unknown; serverMessage?: unknown };
  if (typeof code === 'string' && typeof serverMessage === 'string') {
    return { type: code, statusCode: code, category: AUTH_PREFIXES.has(code) ? 'auth' : 'server', internal: false };
  }
  const type = typeof code === 'string' && code.length > 0 ? code : error.name || '_OTHER';
  return { type, statusCode: undefined, category: categoryOf(error, type), internal: true };
}

function categoryOf(error: Error, type: string): ErrorCategory {
  if (isTls(error)) return 'tls';
  if (type.startsWith('ERR_CONNECT') || type === 'ERR_TIMEOUT' || type === 'ERR_NOT_CONNECTED' || type === 'ERR_OFFLINE_QUEUE_FULL') return 'network';
  return 'other';
}

/** A TLS failure anywhere in the cause chain (Node's codes start with ERR_TLS_ or name a certificate). */
function isTls(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('ERR_TLS_') || code.includes('CERT') || code.startsWith('ERR_SSL_'))) return true;
  }
  return false;
}
