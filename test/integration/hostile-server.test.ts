/**
 * A server that is broken or hostile, one case per row: each row's first connection misbehaves
 * in one way, later connections behave. For every row the commands written to the misbehaving
 * socket fail with the expected error naming the server's address, the client reconnects, later
 * commands succeed, and the process sees no uncaught exception or unhandled rejection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, HitlessError, ProtocolError, TimeoutError, type ClientOptions } from '../../src/index.js';
import { makeRandom, mutate, randomFrame } from '../helpers/fuzz.js';
import { connectedClient, track } from '../helpers/clients.js';
import { startHostileServer, type HostileServer, type HostileSocket } from '../helpers/hostile-server.js';
import { waitFor } from '../helpers/wait.js';
import { createClient } from '../../src/index.js';

type ErrorClass = typeof ProtocolError | typeof ConnectionError | typeof TimeoutError;

/** Quick reconnects; timeouts long enough that only the blackhole rows, which shorten them, meet one. */
const FAST: ClientOptions = { commandTimeout: 10_000, connectTimeout: 10_000, reconnect: { initialDelay: 5, maxDelay: 20 } };
const SHORT_TIMEOUTS: ClientOptions = { commandTimeout: 300, connectTimeout: 300 };

// Every case checks this process saw nothing escape (vitest also fails the run on either).
const escaped: unknown[] = [];
const onRejection = (reason: unknown): void => void escaped.push(reason);
const onException = (error: unknown): void => void escaped.push(error);
beforeEach(() => {
  escaped.length = 0;
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
});
afterEach(() => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtExceptionMonitor', onException);
  expect(escaped).toEqual([]);
});

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface ReplyCase {
  name: string;
  /** What the first connection does instead of answering `GET victim`. */
  misbehave(socket: HostileSocket): void | Promise<void>;
  error: ErrorClass;
  /** Matched against the error of `GET victim`. */
  message: RegExp;
  options?: ClientOptions;
  /** The server speaks RESP2 only (HELLO is an unknown command). */
  resp2?: boolean;
}

const bytes = (text: string) => (socket: HostileSocket): void => socket.write(text);

const REPLY_CASES: ReplyCase[] = [
  // Length headers beyond the limits: refused at the header, nothing of that size is waited for.
  { name: 'bulk length 2^32 ($4294967296)', misbehave: bytes('$4294967296\r\n'), error: ProtocolError, message: /bulk length 4294967296 exceeds maxBulkLength \(536870912\)/ },
  { name: 'bulk length above a configured maxBulkLength', misbehave: bytes('$1025\r\n'), options: { maxBulkLength: 1024 }, error: ProtocolError, message: /bulk length 1025 exceeds maxBulkLength \(1024\)/ },
  { name: 'verbatim string length beyond maxBulkLength', misbehave: bytes('=4294967296\r\n'), error: ProtocolError, message: /exceeds maxBulkLength/ },
  { name: 'blob error length beyond maxBulkLength', misbehave: bytes('!4294967296\r\n'), error: ProtocolError, message: /exceeds maxBulkLength/ },
  { name: 'array length 2^31-1 (*2147483647)', misbehave: bytes('*2147483647\r\n'), error: ProtocolError, message: /array length 2147483647 exceeds maxAggregateLength/ },
  { name: 'map length beyond maxAggregateLength', misbehave: bytes('%2147483647\r\n'), error: ProtocolError, message: /map length 2147483647 exceeds/ },
  { name: 'set length beyond maxAggregateLength', misbehave: bytes('~2147483647\r\n'), error: ProtocolError, message: /set length 2147483647 exceeds/ },
  { name: 'push length beyond maxAggregateLength', misbehave: bytes('>2147483647\r\n'), error: ProtocolError, message: /push length 2147483647 exceeds/ },
  { name: 'aggregate length above a configured maxAggregateLength', misbehave: bytes('*11\r\n'), options: { maxAggregateLength: 10 }, error: ProtocolError, message: /array length 11 exceeds maxAggregateLength \(10\)/ },
  { name: 'a length of 16 digits', misbehave: bytes('$1234567890123456\r\n'), error: ProtocolError, message: /too large/ },
  // Invalid frames: each one a ProtocolError, never a silently wrong value.
  { name: 'unknown type byte', misbehave: bytes('?what\r\n'), error: ProtocolError, message: /unknown RESP type byte 0x3f/ },
  { name: 'negative length other than -1 ($-7)', misbehave: bytes('$-7\r\n'), error: ProtocolError, message: /invalid length "-7"/ },
  { name: 'integer with letters (:12abc)', misbehave: bytes(':12abc\r\n'), error: ProtocolError, message: /invalid integer "12abc"/ },
  { name: 'double that is not a number', misbehave: bytes(',one\r\n'), error: ProtocolError, message: /invalid double "one"/ },
  { name: 'CR not followed by LF', misbehave: bytes('+OK\rX'), error: ProtocolError, message: /expected LF after CR/ },
  { name: 'bulk string not followed by CRLF', misbehave: bytes('$3\r\nabcXY'), error: ProtocolError, message: /bulk string not followed by CRLF/ },
  { name: 'a line with no CRLF at all', misbehave: bytes(`+${'a'.repeat(1024 * 1024 + 10)}`), error: ProtocolError, message: /no CRLF within/ },
  { name: 'verbatim string without its xxx: prefix', misbehave: bytes('=3\r\nabc\r\n'), error: ProtocolError, message: /verbatim string without a format prefix/ },
  { name: 'null map (%-1)', misbehave: bytes('%-1\r\n'), error: ProtocolError, message: /negative length on a map/ },
  { name: 'nesting 5000 levels deep', misbehave: bytes(`${'*1\r\n'.repeat(5000)}:1\r\n`), error: ProtocolError, message: /nested deeper than 1024 levels/ },
  { name: 'garbage one byte at a time', misbehave: (socket) => socket.dribble(':12abc\r\n'), error: ProtocolError, message: /invalid integer "12abc"/ },
  { name: 'a push frame on a RESP2 connection', resp2: true, misbehave: bytes('>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n'), error: ProtocolError, message: /sent a push frame \("message"\) on a RESP2 connection/ },
  // Servers that stop in the middle or never answer.
  { name: 'close in the middle of a bulk string', misbehave: (socket) => { socket.write('$10\r\nabc'); socket.end(); }, error: ConnectionError, message: /was lost while GET waited for its reply/ },
  { name: 'close in the middle of a map', misbehave: (socket) => { socket.write('%2\r\n+a\r\n:1\r\n+b\r\n'); socket.end(); }, error: ConnectionError, message: /was lost while GET waited for its reply/ },
  { name: 'close without answering', misbehave: (socket) => socket.destroy(), error: ConnectionError, message: /was lost while GET waited for its reply/ },
  { name: 'blackhole: never answers', misbehave: () => undefined, options: SHORT_TIMEOUTS, error: TimeoutError, message: /GET got no reply from .* within 300 ms/ },
];

describe('a server sending a broken or hostile reply', () => {
  for (const c of REPLY_CASES) {
    it(c.name, async () => {
      let poisoned = false;
      const server = await startHostileServer((command, socket) => {
        if (socket.index !== 0) return false;
        if (poisoned) return true; // the misbehaving connection answers nothing after that
        if (command[0] !== 'GET' || command[1] !== 'victim') return false;
        poisoned = true;
        void c.misbehave(socket);
        return true;
      }, { resp2: c.resp2 });
      servers.push(server);
      const client = await connectedClient({ port: server.port, ...FAST, ...c.options });
      const reported: Error[] = [];
      client.on('error', (error) => reported.push(error));
      await client.set('victim', 'fine');

      // Three commands written to the misbehaving socket in one write: all three fail.
      const settled = await Promise.allSettled([client.get('victim'), client.get('other'), client.set('third', '3')]);
      const errors = settled.map((result) => (result.status === 'rejected' ? (result.reason as Error) : result.value));
      for (const error of errors) {
        expect(error).toBeInstanceOf(c.error);
        expect((error as Error).message).toContain(server.address);
      }
      expect((errors[0] as Error).message).toMatch(c.message);

      await waitFor(() => client.isReady && server.connections >= 2, 'the client to reconnect');
      expect(await client.get('victim')).toBe('fine');
      expect(await client.set('later', 'ok')).toBe('OK');
      expect(await client.get('later')).toBe('ok');
      expect(reported.some((error) => error.message.includes(server.address))).toBe(true);
    });
  }
});

interface HandshakeCase {
  name: string;
  /** What the connection does instead of answering HELLO. */
  misbehave(socket: HostileSocket): void;
  error: ErrorClass;
  message: RegExp;
  options?: ClientOptions;
}

const HANDSHAKE_CASES: HandshakeCase[] = [
  { name: 'HELLO answered with garbage', misbehave: (socket) => socket.write('?garbage\r\n'), error: ProtocolError, message: /broke the protocol: unknown RESP type byte/ },
  { name: 'HELLO answered with a reply too large to wait for', misbehave: (socket) => socket.write('%4294967296\r\n'), error: ProtocolError, message: /exceeds maxAggregateLength/ },
  { name: 'close during the handshake', misbehave: (socket) => socket.destroy(), error: ConnectionError, message: /^cannot connect to [0-9.:]+: the connection was lost during the handshake \(HELLO\)$/ },
  { name: 'close in the middle of the HELLO reply', misbehave: (socket) => { socket.write('%3\r\n$6\r\nserver\r\n'); socket.end(); }, error: ConnectionError, message: /^cannot connect to [0-9.:]+: the connection was lost during the handshake \(HELLO\)$/ },
  { name: 'HELLO never answered', misbehave: () => undefined, options: SHORT_TIMEOUTS, error: TimeoutError, message: /HELLO got no reply from .* within 300 ms/ },
];

describe('a server breaking the handshake', () => {
  for (const c of HANDSHAKE_CASES) {
    it(`${c.name}: connect() fails naming the server, a second connect() works`, async () => {
      const server = await startHostileServer((command, socket) => {
        if (socket.index !== 0 || command[0] !== 'HELLO') return false;
        c.misbehave(socket);
        return true;
      });
      servers.push(server);
      const client = track(createClient({ port: server.port, ...FAST, ...c.options }));
      const error = await client.connect().then(() => undefined, (e: unknown) => e as Error);
      expect(error).toBeInstanceOf(c.error);
      expect(error!.message).toContain(server.address);
      expect(error!.message).toMatch(c.message);
      await client.connect();
      expect(await client.set('k', 'v')).toBe('OK');
      expect(await client.get('k')).toBe('v');
    });

    it(`${c.name} while reconnecting: commands issued meanwhile wait, then succeed`, async () => {
      let dropped = false;
      const server = await startHostileServer((command, socket) => {
        if (socket.index === 0 && command[0] === 'GET' && command[1] === 'drop') {
          dropped = true;
          socket.destroy();
          return true;
        }
        if (socket.index !== 1 || command[0] !== 'HELLO') return false;
        c.misbehave(socket);
        return true;
      });
      servers.push(server);
      const client = await connectedClient({ port: server.port, ...FAST, ...c.options });
      const reconnecting: Array<Error | undefined> = [];
      client.on('reconnecting', (event) => reconnecting.push(event.error));
      client.on('error', () => undefined);
      await client.set('k', 'v');
      await expect(client.get('drop')).rejects.toThrow(server.address);
      expect(dropped).toBe(true);
      // Issued while the second connection's handshake is being broken: queued, sent on the third.
      const queued = [client.get('k'), client.set('k2', 'v2')];
      expect(await Promise.all(queued)).toEqual(['v', 'OK']);
      expect(server.connections).toBeGreaterThanOrEqual(3);
      // The first reconnect reports the drop; a later one the broken handshake.
      const failure = reconnecting.find((e) => e instanceof c.error && c.message.test(e.message));
      expect(failure?.message).toContain(server.address);
    });
  }
});

describe('a server answering slowly or out of turn', () => {
  it('a reply one byte at a time decodes as if it came at once', async () => {
    const map = '%2\r\n$5\r\nfield\r\n$5\r\nvalue\r\n$3\r\nnum\r\n:42\r\n';
    const server = await startHostileServer((command, socket) => {
      if (command[0] === 'GET' && command[1] === 'slow') void socket.dribble('$11\r\nhello world\r\n');
      else if (command[0] === 'HGETALL') void socket.dribble(map);
      else return false;
      return true;
    });
    servers.push(server);
    const client = await connectedClient({ port: server.port, ...FAST, commandTimeout: 0 });
    expect(await Promise.all([client.get('slow'), client.hGetAll('h'), client.get('slow')])).toEqual(['hello world', { field: 'value', num: 42 }, 'hello world']);
    expect(server.connections).toBe(1);
  });

  it('a reply with no command waiting closes the connection, reported naming the server; the client reconnects', async () => {
    const server = await startHostileServer((command, socket) => {
      if (socket.index !== 0 || command[0] !== 'PING') return false;
      socket.write('+PONG\r\n+EXTRA\r\n');
      return true;
    });
    servers.push(server);
    const client = await connectedClient({ port: server.port, ...FAST });
    const reported: Error[] = [];
    client.on('error', (error) => reported.push(error));
    expect(await client.ping()).toBe('PONG');
    await waitFor(() => reported.length > 0, 'the stray reply to be reported');
    expect(reported[0]).toBeInstanceOf(ProtocolError);
    expect(reported[0]!.message).toBe(`${server.address} sent a reply with no command waiting for it`);
    await waitFor(() => client.isReady && server.connections === 2, 'the client to reconnect');
    expect(await client.ping()).toBe('PONG');
  });

  it('a RESP2 field/value reply with an odd element count fails that command only', async () => {
    const server = await startHostileServer((command, socket) => {
      if (command[0] !== 'HGETALL') return false;
      socket.write('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
      return true;
    }, { resp2: true });
    servers.push(server);
    const client = await connectedClient({ port: server.port, ...FAST });
    const error = await client.hGetAll('h').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/field\/value reply with an odd number of elements \(3\)/);
    // The stream itself was well-formed, so the connection stays.
    expect(await client.ping()).toBe('PONG');
    expect(server.connections).toBe(1);
  });
});

describe('a server answering with random and mutated frames', () => {
  it('120 rounds, a new connection each: every command settles with a value or a HitlessError, and the client recovers', async () => {
    const rand = makeRandom(19);
    const replies: Buffer[] = [];
    const server = await startHostileServer((command, socket) => {
      if (command[0] !== 'GET' && command[0] !== 'HGETALL') return false;
      const frame = Buffer.from(randomFrame(rand));
      const reply = rand() < 0.8 ? mutate(rand, frame) : frame;
      replies.push(reply);
      socket.write(reply);
      socket.end(); // an incomplete frame ends with the connection instead of waiting for a timeout
      return true;
    });
    servers.push(server);
    const client = await connectedClient({ port: server.port, ...FAST });
    client.on('error', () => undefined);
    const foreign: unknown[] = [];
    for (let round = 0; round < 120; round++) {
      // Each round's connection closes after its reply, so round N runs on connection N + 1.
      await waitFor(() => client.isReady && server.connections === round + 1, `the client to reconnect in round ${round}`);
      const outcome = await (round % 2 === 0 ? client.get('k') : client.hGetAll('h')).then(() => undefined, (e: unknown) => e);
      if (outcome !== undefined && !(outcome instanceof HitlessError)) foreign.push({ reply: replies.at(-1)?.toString('latin1'), outcome });
    }
    expect(foreign).toEqual([]);
    expect(replies).toHaveLength(120);
    await waitFor(() => client.isReady && server.connections === 121, 'the client to reconnect after the last round');
    expect(await client.set('after', 'fuzz')).toBe('OK');
  });
});
