/**
 * cae-resp-proxy's interceptors: canned replies for commands posted through the control API.
 * A custom interceptor answers a command whose framed bytes equal `match` ignoring letter case;
 * the newest one wins and the same name replaces an older one. A scenario answers the next N
 * commands (any connection, any node) from a list. They run before the built-in behaviour.
 */

export interface InterceptorStats {
  name: string;
  matchLimit?: number;
  invokeCount: number;
  matchCount: number;
}

interface Custom {
  name: string;
  /** Lower-cased bytes to compare against. */
  match: Buffer;
  response: Buffer;
  invokeCount: number;
  matchCount: number;
}

interface Scenario {
  responses: Buffer[];
  next: number;
  invokeCount: number;
}

export const SCENARIO_INTERCEPTOR = 'scenario-interceptor';

export class Interceptors {
  #custom: Custom[] = [];
  #scenario: Scenario | undefined;

  get isEmpty(): boolean {
    return this.#custom.length === 0 && this.#scenario === undefined;
  }

  add(name: string, match: Buffer, response: Buffer): void {
    this.#custom = this.#custom.filter((c) => c.name !== name);
    this.#custom.unshift({ name, match: lower(match), response, invokeCount: 0, matchCount: 0 });
  }

  remove(name: string): boolean {
    const before = this.#custom.length;
    this.#custom = this.#custom.filter((c) => c.name !== name);
    return this.#custom.length !== before;
  }

  setScenario(responses: Buffer[]): void {
    this.#scenario = { responses, next: 0, invokeCount: 0 };
  }

  /** The canned reply for this command frame, or undefined to let it through. */
  match(buffer: Buffer, start: number, end: number): Buffer | undefined {
    const scenario = this.#scenario;
    if (scenario !== undefined) {
      scenario.invokeCount++;
      const reply = scenario.responses[scenario.next++];
      if (scenario.next >= scenario.responses.length) this.#scenario = undefined;
      if (reply !== undefined) return reply;
    }
    for (const custom of this.#custom) {
      custom.invokeCount++;
      if (equalsIgnoringCase(custom.match, buffer, start, end)) {
        custom.matchCount++;
        return custom.response;
      }
    }
    return undefined;
  }

  stats(): InterceptorStats[] {
    const out: InterceptorStats[] = [];
    const s = this.#scenario;
    if (s !== undefined) {
      out.push({ name: SCENARIO_INTERCEPTOR, matchLimit: s.responses.length, invokeCount: s.invokeCount, matchCount: s.next });
    }
    for (const c of this.#custom) out.push({ name: c.name, invokeCount: c.invokeCount, matchCount: c.matchCount });
    return out;
  }
}

function lower(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 32;
  }
  return out;
}

function equalsIgnoringCase(lowered: Buffer, buffer: Buffer, start: number, end: number): boolean {
  if (end - start !== lowered.length) return false;
  for (let i = 0; i < lowered.length; i++) {
    let b = buffer[start + i]!;
    if (b >= 0x41 && b <= 0x5a) b += 32;
    if (b !== lowered[i]) return false;
  }
  return true;
}
