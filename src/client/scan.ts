import type { ScanOptions } from './commands/index.js';

/** One SCAN-family step: sends the cursor, returns the next cursor and the batch. */
export type ScanStep<T> = (cursor: string) => Promise<[string | Buffer, T[]]>;

/** Walks a SCAN-family cursor to the end, yielding items one at a time. */
export async function* scanAll<T>(step: ScanStep<T>): AsyncGenerator<T, void, undefined> {
  let cursor = '0';
  do {
    const [next, items] = await step(cursor);
    cursor = String(next);
    yield* items;
  } while (cursor !== '0');
}

/** Folds a flat `[a, b, a, b, …]` batch into pairs. */
export async function* pairsOf<S, T>(items: AsyncGenerator<S, void, undefined>, make: (a: S, b: S) => T): AsyncGenerator<T, void, undefined> {
  let first: S | undefined;
  let odd = false;
  for await (const item of items) {
    if (odd) yield make(first as S, item);
    else first = item;
    odd = !odd;
  }
}

export type { ScanOptions };
