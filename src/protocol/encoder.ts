/**
 * RESP command encoder. A command is an array of bulk strings on the wire; we accept strings,
 * Buffers and numbers and build the frame as one string when every argument is a string or number
 * (the common case: V8 concatenates cheaply and the socket encodes once), switching to a list of
 * chunks only when a Buffer argument has to be written as raw bytes.
 */

// Imported, not the global: globalThis.Buffer (like globalThis.process) is a getter, and every
// Buffer.byteLength per argument would call it.
import { Buffer } from 'node:buffer';

export type CommandArgument = string | Buffer | number;

/** Accumulates encoded commands until the connection writes them out in one go. */
export class CommandWriter {
  #text = '';
  #chunks: Array<string | Buffer> = [];

  append(args: readonly CommandArgument[]): void {
    let text = '*' + args.length + '\r\n';
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (typeof arg === 'string') {
        text += '$' + Buffer.byteLength(arg) + '\r\n' + arg + '\r\n';
      } else if (typeof arg === 'number') {
        const s = String(arg);
        text += '$' + s.length + '\r\n' + s + '\r\n';
      } else {
        text += '$' + arg.length + '\r\n';
        this.#chunks.push(this.#text + text, arg);
        this.#text = '';
        text = '\r\n';
      }
    }
    this.#text += text;
  }

  /** Takes everything appended so far: one string, or a list of chunks when Buffers are involved. */
  take(): string | Array<string | Buffer> {
    if (this.#chunks.length === 0) {
      const text = this.#text;
      this.#text = '';
      return text;
    }
    const chunks = this.#chunks;
    if (this.#text.length > 0) chunks.push(this.#text);
    this.#chunks = [];
    this.#text = '';
    return chunks;
  }
}

/** Encodes one or more commands into a single Buffer (for tests, tools and the simulator). */
export function encodeCommands(commands: ReadonlyArray<readonly CommandArgument[]>): Buffer {
  const writer = new CommandWriter();
  for (const command of commands) writer.append(command);
  const out = writer.take();
  return typeof out === 'string'
    ? Buffer.from(out)
    : Buffer.concat(out.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/** Validates a command's arguments; returns a description of the first bad one, or undefined. */
export function invalidArgument(args: readonly unknown[]): string | undefined {
  // Only strings are tested here; anything else goes to `checkOther`. This runs for every
  // command, and kept this small V8 inlines it into the command path.
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'string') {
      const problem = checkOther(arg, i);
      if (problem !== undefined) return problem;
    }
  }
  return args.length === 0 ? 'a command needs at least one argument' : undefined;
}

/** A description of what is wrong with argument `i`, which is not a string; undefined if nothing. */
function checkOther(arg: unknown, i: number): string | undefined {
  if (typeof arg === 'number') return Number.isFinite(arg) ? undefined : `argument ${i} is ${arg}; numbers must be finite`;
  if (Buffer.isBuffer(arg)) return undefined;
  return `argument ${i} is ${arg === null ? 'null' : typeof arg}; expected string, Buffer or number`;
}
