/**
 * Something made once per operation kind (server, db, command name) and reused for every command
 * of that kind: MetricsHook's recorders, TracingHook's span options. The last kind looked up is
 * kept at hand, and the map of the (server, db) commands went to last: consecutive commands rarely
 * change server or db and often repeat the name (a loop, or callers doing the same thing in one
 * turn), and the map lookup by name costs more than the rest of a recorded command.
 */
import type { Endpoint } from '../src/hooks/events.js';

export class OperationCache<T> {
  readonly #make: (server: Endpoint, db: number, name: string) => T;
  readonly #byServer = new Map<Endpoint, Map<number, Map<string, T>>>();
  #lastServer: Endpoint | undefined;
  #lastDb = -1;
  #last = new Map<string, T>();
  #lastName: string | undefined;
  #lastMade: T | undefined;

  constructor(make: (server: Endpoint, db: number, name: string) => T) {
    this.#make = make;
  }

  get(server: Endpoint, db: number, name: string): T {
    if (server === this.#lastServer && db === this.#lastDb && name === this.#lastName) return this.#lastMade!;
    return this.#lookUp(server, db, name);
  }

  #lookUp(server: Endpoint, db: number, name: string): T {
    if (server !== this.#lastServer || db !== this.#lastDb) this.#switchTo(server, db);
    let made = this.#last.get(name);
    if (made === undefined) this.#last.set(name, (made = this.#make(server, db, name)));
    this.#lastName = name;
    this.#lastMade = made;
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
    this.#lastName = undefined;
  }
}
