/**
 * Variadic commands take their values as rest arguments, as node-redis's arrays, or both:
 * `del('a', 'b')`, `del(['a', 'b'])`, `sAdd('s', ['x', 'y'], 'z')`, so code moved from node-redis
 * keeps working unchanged.
 */
export type OneOrMany<T> = T | readonly T[];

export function flat<T>(values: readonly OneOrMany<T>[]): T[] {
  const out: T[] = [];
  for (const value of values) {
    if (Array.isArray(value)) for (const item of value as readonly T[]) out.push(item);
    else out.push(value as T);
  }
  return out;
}
