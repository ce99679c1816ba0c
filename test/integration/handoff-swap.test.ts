/**
 * The pool's handoff seam against real redis-servers: `Pool.open` dials a replacement, `Pool.swap`
 * puts it in place of the shared connection, an idle one or a lease. Servers are slowed with
 * CLIENT PAUSE WRITE (lifted explicitly with CLIENT UNPAUSE, so nothing depends on a duration),
 * killed, or have single connections killed with CLIENT KILL. Maintenance notifications are
 * disabled: these tests are about the pool, not the notifications that drive it.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommand, type Endpoint } from '../../src/connection/index.js';
import {
  ConnectionError, HitlessError, PoolTimeoutError, TimeoutError, type Client, type ClientOptions, type ConnectionClosedEvent, type Hook,
} from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let A: RedisServer;
let B: RedisServer;
let C: RedisServer;
beforeAll(async () => {
  [A, B, C] = await Promise.all([startRedis(), startRedis(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop(), C?.stop()]);
});

const at = (server: RedisServer): Endpoint => ({ host: server.host, port: server.port });

/** A client whose connections are only the pool's (no notification opt-in on plain redis-server). */
function clientOn(server: RedisServer, options: Partial<ClientOptions> = {}): Promise<Client<string>> {
  return connectedClient({ host: server.host, port: server.port, maintNotifications: { mode: 'disabled' }, ...options });
}

/** Every onConnectionClosed event of a client, in order. */
function closedRecorder(): { closed: ConnectionClosedEvent[]; hook: Hook } {
  const closed: ConnectionClosedEvent[] = [];
  return { closed, hook: { onConnectionClosed: (event) => void closed.push({ ...event }) } };
}

/** Lets this turn's commands be written (connections flush on process.nextTick). */
const flushed = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Write commands on `server` block until unpause(); CLIENT UNPAUSE itself is not a write. */
async function pause(control: Client<string>): Promise<void> {
  await control.sendCommand(['CLIENT', 'PAUSE', '60000', 'WRITE']);
}
async function unpause(control: Client<string>): Promise<void> {
  await control.sendCommand(['CLIENT', 'UNPAUSE']);
}

type ClientEntry = Record<string, string>;
async function clientList(control: Client<string>): Promise<ClientEntry[]> {
  const text = String(await control.sendCommand(['CLIENT', 'LIST']));
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) =>
    Object.fromEntries(line.split(' ').map((field) => {
      const eq = field.indexOf('=');
      return [field.slice(0, eq), field.slice(eq + 1)];
    })));
}
/** Connections blocked in BLPOP right now (flag b), not ones whose last command merely was one. */
async function blockedPops(control: Client<string>): Promise<ClientEntry[]> {
  return (await clientList(control)).filter((entry) => entry.cmd === 'blpop' && entry.flags!.includes('b'));
}
async function serverIds(control: Client<string>): Promise<Set<string>> {
  return new Set((await clientList(control)).map((entry) => entry.id!));
}
async function pidOf(control: Client<string>): Promise<number> {
  const info = String(await control.sendCommand(['INFO', 'server']));
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

/** The codes of an error and of its causes. */
function codes(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof HitlessError) out.push(e.code);
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** RPUSHes increasing numbers to `key` through `client`, recording the order their replies arrive in. */
function pusher(client: Client<string>, key: string): { order: number[]; replies: Array<Promise<void>>; push(n: number): void; readonly issued: number } {
  const order: number[] = [];
  const replies: Array<Promise<void>> = [];
  let issued = 0;
  return {
    order, replies,
    get issued() {
      return issued;
    },
    push(n) {
      for (let k = 0; k < n; k++) {
        const i = issued++;
        replies.push(client.rPush(key, String(i)).then(() => void order.push(i)));
      }
    },
  };
}

describe('handoff swaps', () => {
  it('shared swap: later commands go to the replacement once the old written ones are answered, without waiting for the old socket to close', async () => {
    const { closed, hook } = closedRecorder();
    const client = await clientOn(A, { hooks: [hook] });
    const [ctlA, ctlB] = await Promise.all([clientOn(A), clientOn(B)]);
    const key = 'handoff:no-write-pause';
    await Promise.all([ctlA.del(key), ctlB.del(key)]);
    const pidA = await pidOf(ctlA);
    const replacement = await client.pool.open('shared', { endpoint: at(B) });
    const old = client.pool.shared.connection!;
    const seen: string[] = [];
    let stopped = false;
    await pause(ctlA);
    try {
      // The old connection's last reply is in: stop server A at once, before it can see the FIN
      // the old connection sends now. Its socket can then not close until SIGCONT, so whatever
      // completes on the replacement meanwhile provably did not wait for that close.
      const first = client.rPush(key, 'old').then((n) => {
        process.kill(pidA, 'SIGSTOP');
        stopped = true;
        seen.push('old');
        return n;
      });
      await flushed();
      expect(old.pendingReplies).toBe(1);
      expect(client.pool.swap(old.id, replacement)).toBe('swapped');
      const after = range(5).map((i) => client.rPush(key, `new${i}`).then((n) => {
        seen.push(`new${i}`);
        return n;
      }));
      await flushed();
      // (a) Not written while the old connection still waits for its reply.
      expect(replacement.queuedCommands).toBe(5);
      expect(replacement.pendingReplies).toBe(0);
      expect(await ctlB.lLen(key)).toBe(0);
      expect(client.connections().find((c) => c.id === old.id)?.role).toBe('retiring');

      const unpaused = ctlA.sendCommand(['CLIENT', 'UNPAUSE']);
      expect(await first).toBe(1);
      // (b) They complete, in order after the old reply, while server A is stopped.
      expect(await Promise.all(after)).toEqual([1, 2, 3, 4, 5]);
      expect(seen).toEqual(['old', 'new0', 'new1', 'new2', 'new3', 'new4']);
      // (c) The old socket has not closed: no close event, still closing, still listed as retiring.
      expect(closed.filter((e) => e.connectionId === old.id)).toEqual([]);
      expect(old.state).toBe('closing');
      expect(client.connections().find((c) => c.id === old.id)?.role).toBe('retiring');

      process.kill(pidA, 'SIGCONT');
      stopped = false;
      await unpaused;
      await waitFor(() => closed.some((e) => e.connectionId === old.id), 'the old connection to close');
      expect(closed.find((e) => e.connectionId === old.id)?.reason).toBe('handoff');
      await waitFor(() => !client.connections().some((c) => c.role === 'retiring'), 'the old connection to leave the list');
      expect(await ctlB.lRange(key, 0, -1)).toEqual(['new0', 'new1', 'new2', 'new3', 'new4']);
      expect(await ctlA.lRange(key, 0, -1)).toEqual(['old']);
      expect(client.connections().find((c) => c.role === 'shared')?.id).toBe(replacement.id);
    } finally {
      if (stopped) process.kill(pidA, 'SIGCONT');
      await unpause(ctlA).catch(() => undefined);
    }
  });

  it('overlapping swaps A→B→C before A drained: C writes only after A answered; 1000 RPUSHes keep their order', async () => {
    const client = await clientOn(A);
    const controls = await Promise.all([clientOn(A), clientOn(B), clientOn(C)]);
    const [ctlA, ctlB, ctlC] = controls;
    const key = 'handoff:overlap';
    await Promise.all(controls.map((c) => c.del(key)));
    const [toB, toC] = await Promise.all([client.pool.open('shared', { endpoint: at(B) }), client.pool.open('shared', { endpoint: at(C) })]);
    const a = client.pool.shared.connection!;
    const p = pusher(client, key);
    p.push(150);
    await flushed();
    await pause(ctlA);
    try {
      p.push(150);
      await flushed();
      expect(a.pendingReplies).toBeGreaterThan(0);
      // Issued in the swap's turn before it: unwritten, so they move to B (and on to C).
      p.push(100);
      expect(client.pool.swap(a.id, toB)).toBe('swapped');
      p.push(100);
      await flushed();
      expect(toB.pendingReplies).toBe(0);
      expect(toB.queuedCommands).toBe(200);
      p.push(100);
      expect(a.pendingReplies).toBeGreaterThan(0);
      expect(client.pool.swap(toB.id, toC)).toBe('swapped');
      p.push(200);
      await flushed();
      p.push(200);
      await flushed();
      expect(p.issued).toBe(1000);
      // A has not answered: neither B nor C has written anything.
      expect(a.pendingReplies).toBeGreaterThan(0);
      expect([toB.pendingReplies, toB.queuedCommands, toC.pendingReplies, toC.queuedCommands]).toEqual([0, 0, 0, 700]);
      expect([await ctlB.lLen(key), await ctlC.lLen(key)]).toEqual([0, 0]);
      await unpause(ctlA);
      await Promise.all(p.replies);
    } finally {
      await unpause(ctlA).catch(() => undefined);
    }
    expect(p.order).toEqual(range(1000));
    const lists = await Promise.all(controls.map((c) => c.lRange(key, 0, -1)));
    expect(lists.map((l) => l.length)).toEqual([300, 0, 700]);
    expect(lists.flat().map(Number)).toEqual(range(1000));
  });

  it('chained swaps A→B→C while B has written commands: C waits for B’s replies too; 1000 RPUSHes keep their order', async () => {
    const client = await clientOn(A);
    const controls = await Promise.all([clientOn(A), clientOn(B), clientOn(C)]);
    const [ctlA, ctlB, ctlC] = controls;
    const key = 'handoff:chain';
    await Promise.all(controls.map((c) => c.del(key)));
    const [toB, toC] = await Promise.all([client.pool.open('shared', { endpoint: at(B) }), client.pool.open('shared', { endpoint: at(C) })]);
    const a = client.pool.shared.connection!;
    const p = pusher(client, key);
    p.push(100);
    await flushed();
    await pause(ctlA);
    try {
      p.push(100);
      await flushed();
      expect(a.pendingReplies).toBeGreaterThan(0);
      p.push(50);
      expect(client.pool.swap(a.id, toB)).toBe('swapped');
      p.push(50);
      await flushed();
      expect([toB.pendingReplies, toB.queuedCommands]).toEqual([0, 100]);
      // B's server stalls its writes too, then A answers: B writes what it held, and waits.
      await pause(ctlB);
      await unpause(ctlA);
      await waitFor(() => toB.pendingReplies === 100 && toB.queuedCommands === 0, 'B to write what it held');
      expect(a.pendingReplies).toBe(0);
      p.push(200);
      await flushed();
      expect(toB.pendingReplies).toBe(300);
      p.push(100);
      expect(client.pool.swap(toB.id, toC)).toBe('swapped');
      p.push(100);
      await flushed();
      expect(toB.pendingReplies).toBe(300);
      expect([toC.pendingReplies, toC.queuedCommands]).toEqual([0, 200]);
      expect(await ctlC.lLen(key)).toBe(0);
      p.push(300);
      await flushed();
      expect(p.issued).toBe(1000);
      expect([toC.pendingReplies, toC.queuedCommands]).toEqual([0, 500]);
      await unpause(ctlB);
      await Promise.all(p.replies);
    } finally {
      await Promise.all([unpause(ctlA).catch(() => undefined), unpause(ctlB).catch(() => undefined)]);
    }
    expect(p.order).toEqual(range(1000));
    const lists = await Promise.all(controls.map((c) => c.lRange(key, 0, -1)));
    expect(lists.map((l) => l.length)).toEqual([200, 300, 500]);
    expect(lists.flat().map(Number)).toEqual(range(1000));
  });

  it('bounded drain: after drainTimeout the old connection closes, its unanswered command fails naming the handoff, later ones succeed on the replacement', async () => {
    const { closed, hook } = closedRecorder();
    const client = await clientOn(A, { hooks: [hook] });
    const [ctlA, ctlB] = await Promise.all([clientOn(A), clientOn(B)]);
    const key = 'handoff:drain';
    await Promise.all([ctlA.del(key), ctlB.del(key)]);
    const replacement = await client.pool.open('shared', { endpoint: at(B) });
    const old = client.pool.shared.connection!;
    await pause(ctlA);
    try {
      const stuck = client.rPush(key, 'old').catch((e: unknown) => e);
      await flushed();
      expect(old.pendingReplies).toBe(1);
      expect(client.pool.swap(old.id, replacement, 100)).toBe('swapped');
      const after = [client.rPush(key, 'new1'), client.rPush(key, 'new2')];
      const error = await stuck;
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toContain(`${A.host}:${A.port}`);
      expect((error as Error).message).toMatch(/closed by a handoff/);
      expect(codes(error)).toContain('ERR_HANDOFF_DRAIN');
      expect(await Promise.all(after)).toEqual([1, 2]);
      const event = closed.find((e) => e.connectionId === old.id);
      expect(event?.reason).toBe('handoff');
      expect(codes(event?.error)).toContain('ERR_HANDOFF_DRAIN');
    } finally {
      await unpause(ctlA);
    }
    expect(await ctlB.lRange(key, 0, -1)).toEqual(['new1', 'new2']);
    expect(client.connections().map((c) => [c.id, c.role])).toEqual([[replacement.id, 'shared']]);
  });

  it('the old connection dies mid-swap: its written commands fail naming its endpoint, the unwritten ones succeed on the replacement, which writes', async () => {
    const D = await startRedis();
    try {
      const client = await clientOn(D);
      const [ctlD, ctlB] = await Promise.all([clientOn(D), clientOn(B)]);
      const key = 'handoff:dies';
      await ctlB.del(key);
      const replacement = await client.pool.open('shared', { endpoint: at(B) });
      const old = client.pool.shared.connection!;
      await pause(ctlD);
      const written = range(3).map((i) => client.rPush(key, `written${i}`).catch((e: unknown) => e));
      await flushed();
      expect(old.pendingReplies).toBe(3);
      const unwritten = range(3).map((i) => client.rPush(key, `unwritten${i}`));
      expect(client.pool.swap(old.id, replacement)).toBe('swapped');
      const after = range(3).map((i) => client.rPush(key, `after${i}`));
      await flushed();
      expect([replacement.pendingReplies, replacement.queuedCommands]).toEqual([0, 6]);
      await D.kill();
      for (const error of await Promise.all(written)) {
        expect(error).toBeInstanceOf(ConnectionError);
        expect((error as Error).message).toContain(`${D.host}:${D.port}`);
      }
      expect(await Promise.all([...unwritten, ...after])).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await client.rPush(key, 'later')).toBe(7);
      expect([replacement.pendingReplies, replacement.queuedCommands]).toEqual([0, 0]);
      expect(await ctlB.lRange(key, 0, -1)).toEqual(['unwritten0', 'unwritten1', 'unwritten2', 'after0', 'after1', 'after2', 'later']);
      expect(client.connections().find((c) => c.role === 'shared')?.id).toBe(replacement.id);
    } finally {
      await D.stop();
    }
  });

  it('an idle lease connection is replaced at once; the old one closes with reason handoff; the next lease uses the replacement', async () => {
    const { closed, hook } = closedRecorder();
    const client = await clientOn(A, { hooks: [hook] });
    const ctlB = await clientOn(B);
    const key = 'handoff:idle';
    await ctlB.del(key);
    (await client.pool.acquire()).release();
    const idle = client.connections().filter((c) => c.role === 'idle');
    expect(idle).toHaveLength(1);
    const replacement = await client.pool.open('lease', { endpoint: at(B) });
    expect(client.pool.swap(idle[0]!.id, replacement)).toBe('swapped');
    expect(client.connections().filter((c) => c.role === 'idle' || c.role === 'handoff').map((c) => [c.id, c.role]))
      .toEqual([[replacement.id, 'idle']]);
    await waitFor(() => closed.some((e) => e.connectionId === idle[0]!.id), 'the old idle connection to close');
    expect(closed.find((e) => e.connectionId === idle[0]!.id)?.reason).toBe('handoff');
    // The list exists on B only: a lease on any other connection would wait its second and get null.
    await ctlB.rPush(key, 'from-b');
    expect(await client.blPop(key, 1)).toEqual({ key, element: 'from-b' });
    // The lease is released once its reply is in: right after this continuation, not before it.
    await waitFor(() => client.connections().some((c) => c.role === 'idle'), 'the lease to return idle');
    expect(client.connections().filter((c) => c.role === 'idle').map((c) => c.id)).toEqual([replacement.id]);
    expect(closed.some((e) => e.connectionId === replacement.id)).toBe(false);
  });

  it('a leased blocking connection is replaced on release: BLPOP keeps waiting on the old one, then the replacement becomes idle', async () => {
    const { closed, hook } = closedRecorder();
    const client = await clientOn(A, { hooks: [hook] });
    const ctlA = await clientOn(A);
    const key = 'handoff:lease';
    await ctlA.del(key);
    const popped = client.blPop(key, 10);
    await waitFor(async () => (await blockedPops(ctlA)).length === 1, 'the BLPOP to block on A');
    const lease = client.connections().find((c) => c.role === 'lease')!;
    const replacement = await client.pool.open('lease', { endpoint: at(B) });
    expect(client.pool.swap(lease.id, replacement)).toBe('on-release');
    expect(client.connections().filter((c) => c.role !== 'shared').map((c) => [c.id, c.role]))
      .toEqual([[lease.id, 'lease'], [replacement.id, 'handoff']]);
    expect(closed).toEqual([]);
    await ctlA.rPush(key, 'on-old');
    expect(await popped).toEqual({ key, element: 'on-old' });
    await waitFor(() => closed.some((e) => e.connectionId === lease.id), 'the old lease connection to close');
    expect(closed.find((e) => e.connectionId === lease.id)?.reason).toBe('handoff');
    expect(client.connections().filter((c) => c.role !== 'shared').map((c) => [c.id, c.role, c.state]))
      .toEqual([[replacement.id, 'idle', 'ready']]);
    expect(closed.some((e) => e.connectionId === replacement.id)).toBe(false);
  });

  it('regression: a lease whose connection dies while a replacement waits for its release closes the replacement too', async () => {
    const { closed, hook } = closedRecorder();
    const client = await clientOn(A, { hooks: [hook] });
    const [ctlA, ctlB] = await Promise.all([clientOn(A), clientOn(B)]);
    const key = 'handoff:leak';
    await ctlA.del(key);
    const popped = client.blPop(key, 10).catch((e: unknown) => e);
    await waitFor(async () => (await blockedPops(ctlA)).length === 1, 'the BLPOP to block on A');
    const lease = client.connections().find((c) => c.role === 'lease')!;
    const before = await serverIds(ctlB);
    const replacement = await client.pool.open('lease', { endpoint: at(B) });
    const onB = [...(await serverIds(ctlB))].filter((id) => !before.has(id));
    expect(onB).toHaveLength(1);
    expect(client.pool.swap(lease.id, replacement)).toBe('on-release');
    const blocked = await blockedPops(ctlA);
    expect(blocked).toHaveLength(1);
    await ctlA.sendCommand(['CLIENT', 'KILL', 'ID', blocked[0]!.id!]);
    const error = await popped;
    expect(error).toBeInstanceOf(ConnectionError);
    await waitFor(() => closed.some((e) => e.connectionId === replacement.id), 'the replacement to close');
    expect(replacement.state).toBe('closed');
    expect(client.connections().filter((c) => c.role !== 'shared')).toEqual([]);
    await waitFor(async () => !(await serverIds(ctlB)).has(onB[0]!), 'server B to drop the replacement’s connection');
    // The pool still leases.
    await ctlA.rPush(key, 'after');
    expect(await client.blPop(key, 1)).toEqual({ key, element: 'after' });
  });

  it('a replacement that died while waiting for the release is not pooled; a new lease works', async () => {
    const { closed, hook } = closedRecorder();
    const client = await clientOn(A, { hooks: [hook] });
    const [ctlA, ctlB] = await Promise.all([clientOn(A), clientOn(B)]);
    const key = 'handoff:dead-replacement';
    await ctlA.del(key);
    const popped = client.blPop(key, 10);
    await waitFor(async () => (await blockedPops(ctlA)).length === 1, 'the BLPOP to block on A');
    const lease = client.connections().find((c) => c.role === 'lease')!;
    const before = await serverIds(ctlB);
    const replacement = await client.pool.open('lease', { endpoint: at(B) });
    const onB = [...(await serverIds(ctlB))].filter((id) => !before.has(id));
    expect(onB).toHaveLength(1);
    expect(client.pool.swap(lease.id, replacement)).toBe('on-release');
    await ctlB.sendCommand(['CLIENT', 'KILL', 'ID', onB[0]!]);
    await waitFor(() => closed.some((e) => e.connectionId === replacement.id), 'the replacement to close');
    expect(client.connections().some((c) => c.role === 'handoff')).toBe(false);
    await ctlA.rPush(key, 'x');
    expect(await popped).toEqual({ key, element: 'x' });
    await waitFor(() => closed.some((e) => e.connectionId === lease.id), 'the old lease connection to close');
    expect(closed.find((e) => e.connectionId === lease.id)?.reason).toBe('handoff');
    const rest = client.connections().filter((c) => c.role !== 'shared');
    expect(rest.filter((c) => c.state !== 'ready')).toEqual([]);
    expect(rest.map((c) => c.id)).not.toContain(replacement.id);
    expect(rest.map((c) => c.id)).not.toContain(lease.id);
    await ctlA.rPush(key, 'y');
    expect(await client.blPop(key, 1)).toEqual({ key, element: 'y' });
  });

  it('handoff replacements count in maxActiveConns; closing them frees the slots', async () => {
    const client = await clientOn(A, { maxActiveConns: 3, poolTimeout: 200 });
    const ctlA = await clientOn(A);
    const key = 'handoff:cap';
    await ctlA.del(key);
    const replacements = [await client.pool.open('lease'), await client.pool.open('lease')];
    expect(client.pool.activeCount).toBe(3);
    expect(client.connections().filter((c) => c.role === 'handoff').map((c) => c.id)).toEqual(replacements.map((r) => r.id));
    const error = await client.blPop(key, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as PoolTimeoutError).code).toBe('ERR_POOL_TIMEOUT');
    // A lease waiting for a slot gets the one a closing replacement frees.
    const waiting = client.blPop(key, 5);
    replacements[0]!.destroy(undefined, 'application_close');
    await ctlA.rPush(key, 'first');
    expect(await waiting).toEqual({ key, element: 'first' });
    replacements[1]!.destroy(undefined, 'application_close');
    expect(client.connections().some((c) => c.role === 'handoff')).toBe(false);
    await ctlA.rPush(key, 'second');
    expect(await client.blPop(key, 1)).toEqual({ key, element: 'second' });
  });

  it('close() abandons an open still in its handshake: ERR_CONNECTION_ABORTED, and the socket is closed', async () => {
    let received = 0;
    let socketsClosed = 0;
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => (received += chunk.length));
      socket.on('close', () => socketsClosed++);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const client = await clientOn(A);
      const opening = client.pool.open('lease', { endpoint: { host: '127.0.0.1', port } }).then(
        (connection) => connection,
        (e: unknown) => e,
      );
      await waitFor(() => received > 0, 'the handshake to reach the silent server');
      await client.close();
      const error = await opening;
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).message).toContain(`127.0.0.1:${port}`);
      expect((error as ConnectionError).code).toBe('ERR_CONNECTION_ABORTED');
      await waitFor(() => socketsClosed === 1, 'the silent server to see its socket closed');
      expect(sockets.size).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('relaxed window grace: a command written while relaxed keeps the relaxed timeout after release; one written after gets the normal one', async () => {
    const client = await clientOn(A, { commandTimeout: 100 });
    const ctlA = await clientOn(A);
    const key = 'handoff:grace';
    await ctlA.del(key);
    const connection = await client.pool.open('lease');
    const witness = await client.pool.open('lease');
    await pause(ctlA);
    try {
      const release = connection.relaxTimeouts(5000);
      const [relaxed, relaxedReply] = createCommand(['RPUSH', key, 'relaxed'], false);
      const relaxedOutcome = relaxedReply.then((value) => ({ value }), (error: unknown) => ({ error }));
      connection.send(relaxed);
      await flushed();
      expect(connection.pendingReplies).toBe(1);
      release();
      expect(connection.effectiveTimeout(relaxed)).toBe(5000);
      // Written after the release with the normal timeout: when it has timed out, the relaxed
      // command has waited longer than the normal timeout since the release (and since its write).
      const [probe, probeReply] = createCommand(['RPUSH', `${key}:probe`, 'probe'], false);
      witness.send(probe);
      const probeError = await probeReply.catch((e: unknown) => e);
      expect(probeError).toBeInstanceOf(TimeoutError);
      expect((probeError as TimeoutError).timeout).toBe(100);
      expect(connection.state).toBe('ready');
      expect(connection.pendingReplies).toBe(1);
      await unpause(ctlA);
      expect(await relaxedOutcome).toEqual({ value: 1 });

      await pause(ctlA);
      const [normal, normalReply] = createCommand(['RPUSH', key, 'normal'], false);
      connection.send(normal);
      const normalError = await normalReply.catch((e: unknown) => e);
      expect(normalError).toBeInstanceOf(TimeoutError);
      expect((normalError as TimeoutError).timeout).toBe(100);
      expect((normalError as TimeoutError).command).toBe('RPUSH');
      expect(connection.effectiveTimeout(normal)).toBe(100);
      expect(connection.state).toBe('closed');
    } finally {
      await unpause(ctlA);
      connection.destroy(undefined, 'application_close');
      witness.destroy(undefined, 'application_close');
    }
  });
});
