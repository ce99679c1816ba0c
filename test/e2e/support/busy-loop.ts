/** What a busy loop needs of a client: node-redis's set/get are enough. */
export interface KeyValueClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

export interface BusyLoop {
  /** Every error the loop hit, and every write it could not read back. */
  readonly errors: unknown[];
  ops(): number;
  /** Stops the loop and waits for its last command. */
  stop(): Promise<void>;
}

/**
 * SET then GET in a loop over `keys` keys until stopped, recording errors and lost writes: the
 * traffic a maintenance must not disturb.
 */
export function startBusyLoop(client: KeyValueClient, prefix: string, keys: number, errors: unknown[] = []): BusyLoop {
  let running = true;
  let ops = 0;
  const loop = (async () => {
    while (running) {
      try {
        const key = `${prefix}:${ops % keys}`;
        await client.set(key, String(ops));
        if ((await client.get(key)) !== String(ops)) errors.push(new Error(`lost write ${key}`));
        ops++;
      } catch (err) {
        errors.push(err);
      }
    }
  })();
  return {
    errors,
    ops: () => ops,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
