/**
 * Something made once per operation kind (server, db, command name) and reused for every command
 * of that kind: MetricsHook's recorders, TracingHook's span options. The map of the (server, db)
 * commands went to last is kept at hand, since consecutive commands rarely change either: a
 * command then costs one map lookup by its name.
 */
import type { Endpoint } from '../src/hooks/events.js';

export class OperationCache<T> {
  readonly #make: (server: Endpoint, db: number, name: string) => T;
  readonly #byServer = new Map<Endpoint, Map<number, Map<string, T>>>();
  #lastServer: Endpoint | undefined;
  #lastDb = -1;
  #last = new Map<string, T>();

  constructor(make: (server: Endpoint, db: number, name: string) => T) {
    this.#make = make;
  }

  get(server: Endpoint, db: number, name: string): T {
    if (server !== this.#lastServer || db !== this.#lastDb) this.#switchTo(server, db);
    const known = this.#last.get(name);
    if (known !== undefined) return known;
    const made = this.#make(server, db, name);
    this.#last.set(name, made);
    return made;
  }

  #switchTo(server: Endpoint, db: number): void {
    let byDb = this.#byServer.get(server);
    if (byDb === undefined) this.#byServer.set(server, (byDb = new Map()));
    let byName = byDb.get(db);
    if (byName === undefined) byDb.set(db, (byName = new Map()));
    this.#lastServer = server;
    this.#lastDb = db;
    this.#last = byName;
  }
}
