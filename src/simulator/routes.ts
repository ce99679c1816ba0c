/** The shapes of the control APIs' routes, shared by the server and the route tables. */

export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The raw body (at most MAX_BODY bytes). */
  body(): Promise<Buffer>;
  /** The body parsed as JSON (400 if it is not JSON). */
  json(): Promise<unknown>;
}

export interface Reply {
  status?: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with `:name` segments. */
  path: string;
  handle(request: Request): Promise<Reply> | Reply;
}
