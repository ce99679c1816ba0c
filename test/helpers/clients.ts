import { afterEach } from 'vitest';
import { createClient, type Client, type ClientOptions } from '../../src/index.js';

const open = new Set<Client<string> | Client<Buffer>>();

/** A connected client that is destroyed after the current test, whatever happens in it. */
export async function connectedClient(options: ClientOptions): Promise<Client<string>> {
  const client = createClient(options);
  open.add(client);
  await client.connect();
  return client;
}

/** Registers a client for destruction after the current test. */
export function track<C extends Client<string> | Client<Buffer>>(client: C): C {
  open.add(client);
  return client;
}

afterEach(() => {
  for (const client of open) client.destroy();
  open.clear();
});
