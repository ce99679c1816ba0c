import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyError, TimeoutError, type CommandEvent, type Hook, type HookErrorEvent } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { recordingHook } from '../helpers/recording-hook.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis({ args: ['--enable-debug-command', 'local'] });
});
afterAll(async () => {
  await redis.stop();
});

const server = (): { host: string; port: number } => ({ host: '127.0.0.1', port: redis.port });

describe('hook events', () => {
  it('connect: dial, handshake, connection created, in that order', async () => {
    const hook = recordingHook();
    await connectedClient({ port: redis.port, hooks: [hook], db: 2, name: 'hooked' });
    // A plain redis-server lacks maintenance notifications: `auto` mode reports that once, during the handshake.
    expect(hook.calls.map((c) => c.member)).toEqual(['onDial', 'onMaintenanceFallback', 'onHandshake', 'onConnectionCreated', 'onConnectionStateChange']);
    const [dial, fallback, handshake, created, state] = hook.calls.map((c) => c.event as Record<string, unknown>);
    expect(state).toEqual({ connectionId: dial!.connectionId, server: server(), role: 'shared', state: 'used' });
    expect(dial).toMatchObject({ server: server(), tls: false, error: undefined });
    expect(dial!.duration).toBeGreaterThanOrEqual(0);
    expect(fallback).toMatchObject({ server: server(), connectionId: dial!.connectionId });
    expect(handshake).toMatchObject({ server: server(), protocol: 3, error: undefined });
    const steps = handshake!.steps as Array<{ name: string; skipped: string | undefined }>;
    expect(steps.map((s) => s.name)).toEqual(['HELLO', 'SELECT', 'CLIENT MAINT_NOTIFICATIONS', 'CLIENT SETINFO']);
    expect(steps.map((s) => s.skipped === undefined)).toEqual([true, true, false, true]);
    expect(steps[2]!.skipped).toMatch(/refused CLIENT MAINT_NOTIFICATIONS/);
    expect(created).toMatchObject({ server: server(), role: 'shared', connectionId: dial!.connectionId, peer: { address: '127.0.0.1', port: redis.port } });
  });

  it('a single command: start then end, the same event, state carried from start to end', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook], db: 1 });
    hook.calls.length = 0;
    expect(await client.set('hk', 'v', { EX: 100 })).toBe('OK');
    expect(hook.calls.map((c) => c.member)).toEqual(['onCommandStart', 'onCommandEnd']);
    const [start, end] = hook.calls;
    expect(start!.event).toMatchObject({ name: 'SET', args: ['SET', 'hk', 'v', 'EX', 100], server: server(), db: 1, retries: 0 });
    expect(end!.event).toMatchObject({ name: 'SET', reply: 'OK', error: undefined });
    expect((end!.event as CommandEvent).duration).toBeGreaterThanOrEqual(0);
    expect(end!.state).toBe('state-of-SET');
  });

  it('several hooks: each end gets the state its own start returned, undefined when it returned none', async () => {
    const seen: Array<[string, unknown]> = [];
    const counting: Hook = { name: 'counting', onCommandStart: () => undefined, onCommandEnd: (_e, state) => void seen.push(['counting', state]) };
    const span: Hook = { name: 'span', onCommandStart: (e) => `span-of-${e.name}`, onCommandEnd: (_e, state) => void seen.push(['span', state]) };
    const endOnly: Hook = { name: 'end-only', onCommandEnd: (_e, state) => void seen.push(['end-only', state]) };
    const silent: Hook = { name: 'silent', onCommandStart: () => undefined, onCommandEnd: (_e, state) => void seen.push(['silent', state]) };
    const client = await connectedClient({ port: redis.port, hooks: [counting, span, endOnly] });
    await client.get('multi-state');
    expect(seen).toEqual([['counting', undefined], ['span', 'span-of-GET'], ['end-only', undefined]]);
    // No start hook returns a state: the ends still run, each with undefined.
    client.removeHook(span);
    client.addHook(silent);
    seen.length = 0;
    await client.get('multi-state');
    expect(seen).toEqual([['counting', undefined], ['end-only', undefined], ['silent', undefined]]);
    await client.close();
  });

  it('the event is a view: fields read at end are the command’s, toJSON() and JSON.stringify give plain data', async () => {
    const atStart: Array<Record<string, unknown>> = [];
    const atEnd: Array<Record<string, unknown>> = [];
    let json = '';
    const hook: Hook = {
      name: 'view',
      onCommandStart: (e) => void atStart.push({ duration: e.duration, startTime: e.startTime, reply: e.reply }),
      onCommandEnd: (e) => {
        atEnd.push({ ...e.toJSON() });
        json = JSON.stringify(e);
      },
    };
    const client = await connectedClient({ port: redis.port, hooks: [hook], db: 3 });
    await client.set('view-key', 'v1');
    expect(atStart[0]).toEqual({ duration: 0, startTime: expect.any(Number), reply: undefined });
    expect(atEnd[0]).toEqual({
      name: 'SET', args: ['SET', 'view-key', 'v1'], server: server(), connectionId: client.connections()[0]!.id, peer: { address: '127.0.0.1', port: redis.port }, db: 3, retries: 0,
      startTime: atStart[0]!.startTime, duration: expect.any(Number), reply: 'OK', error: undefined,
    });
    expect(atEnd[0]!.duration).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(json)).toMatchObject({ name: 'SET', args: ['SET', 'view-key', 'v1'], db: 3, reply: 'OK' });
    await client.close();
  });

  it('a command keeps the db it started with, though a SELECT during it changes where later ones go', async () => {
    const ends: Array<[string, number]> = [];
    const hook: Hook = { name: 'db', onCommandEnd: (e) => void ends.push([e.name, e.db]) };
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    const other = await connectedClient({ port: redis.port });
    // BLPOP blocks on a lease in db 0; SELECT 4 completes on the shared connection meanwhile.
    const popped = client.blPop('db-snapshot-list', 0);
    await client.select(4);
    await client.set('after-select', 'y');
    await other.lPush('db-snapshot-list', 'wake');
    expect(await popped).toEqual({ key: 'db-snapshot-list', element: 'wake' });
    expect(ends).toEqual([['SELECT', 0], ['SET', 4], ['BLPOP', 0]]);
    await Promise.all([client.close(), other.close()]);
  });

  it('one hook with start and end, and start and end split over two hooks: every end gets its own start’s state', async () => {
    const seen: unknown[] = [];
    const both: Hook = { name: 'both', onCommandStart: (e) => `both-${e.name}`, onCommandEnd: (_e, s) => void seen.push(s) };
    const client = await connectedClient({ port: redis.port, hooks: [both] });
    await client.get('paired');
    expect(seen).toEqual(['both-GET']);
    // The same hook object, plus a start-only hook registered before it: the end must still find
    // `both`'s state, now at index 1 of the start hooks.
    const startOnly: Hook = { name: 'start-only', onCommandStart: () => 'not-mine' };
    client.removeHook(both);
    client.addHook(startOnly);
    client.addHook(both);
    seen.length = 0;
    await client.get('paired');
    expect(seen).toEqual(['both-GET']);
    await client.close();
  });

  it('a server error (WRONGTYPE) ends the command with the ReplyError', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    await client.set('string-key', 'x');
    await expect(client.lPush('string-key', 'y')).rejects.toMatchObject({ code: 'WRONGTYPE' });
    const end = hook.of('onCommandEnd').at(-1)!;
    expect(end.name).toBe('LPUSH');
    expect(end.error).toBeInstanceOf(ReplyError);
    expect((end.error as ReplyError).code).toBe('WRONGTYPE');
  });

  it('a pipeline is one batch event with each command’s outcome', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    await client.set('pipe-string', 'x');
    hook.calls.length = 0;
    const results = await client.pipeline().set('p1', '1').incr('pipe-string').get('p1').exec();
    expect(results[1]).toBeInstanceOf(ReplyError);
    expect(hook.calls.map((c) => c.member)).toEqual(['onBatchStart', 'onBatchEnd']);
    const end = hook.calls[1]!;
    expect(end.event).toMatchObject({ kind: 'pipeline', size: 3, aborted: false, error: undefined });
    expect((end.event as { commands: unknown[] }).commands).toEqual([
      { name: 'SET', args: ['SET', 'p1', '1'] }, { name: 'INCR', args: ['INCR', 'pipe-string'] }, { name: 'GET', args: ['GET', 'p1'] },
    ]);
    const outcomes = (end.event as { outcomes: Array<{ reply?: unknown; error?: Error }> }).outcomes;
    expect(outcomes[0]).toEqual({ reply: 'OK' });
    expect(outcomes[1]!.error).toBeInstanceOf(ReplyError);
    expect(outcomes[2]).toEqual({ reply: '1' });
    expect(end.state).toBe('state-of-pipeline');
  });

  it('a transaction, and an aborted WATCH transaction', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    hook.calls.length = 0;
    expect(await client.multi().set('t1', 'a').get('t1').exec()).toEqual(['OK', 'a']);
    expect(hook.of('onBatchEnd')[0]).toMatchObject({ kind: 'transaction', size: 2, aborted: false, outcomes: [{ reply: 'OK' }, { reply: 'a' }] });

    hook.calls.length = 0;
    const other = await connectedClient({ port: redis.port });
    const result = await client.watch('t1', async (tx) => {
      await tx.get('t1');
      await other.set('t1', 'changed');
      return tx.multi().set('t1', 'mine').exec();
    });
    expect(result).toBeNull();
    expect(await client.get('t1')).toBe('changed');
    const members = hook.calls
      .filter((c) => /^on(Command|Batch)/.test(c.member))
      .map((c) => `${c.member}:${(c.event as { name?: string; kind?: string }).name ?? (c.event as { kind: string }).kind}`);
    expect(members.slice(0, 4)).toEqual(['onCommandStart:WATCH', 'onCommandEnd:WATCH', 'onCommandStart:GET', 'onCommandEnd:GET']);
    expect(members).toContain('onBatchEnd:transaction');
    expect(hook.of('onBatchEnd').at(-1)).toMatchObject({ kind: 'transaction', aborted: true, outcomes: [] });
  });

  it('a blocking command on a lease: a lease connection is created, the command ends with its reply', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    hook.calls.length = 0;
    const popped = client.blPop('hook-list', 5);
    await waitFor(() => hook.of('onConnectionCreated').length === 1, 'the lease connection');
    expect(hook.of('onConnectionCreated')[0]).toMatchObject({ role: 'lease' });
    await client.rPush('hook-list', 'item');
    await popped;
    const blpopEnd = hook.of('onCommandEnd').find((e) => e.name === 'BLPOP');
    expect(blpopEnd).toMatchObject({ args: ['BLPOP', 'hook-list', 5], reply: { key: 'hook-list', element: 'item' } });
    const order = hook.calls.map((c) => c.member);
    expect(order.indexOf('onCommandStart')).toBeLessThan(order.indexOf('onDial'));
  });

  it('pub/sub: SUBSCRIBE is a command on a pubsub connection', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    hook.calls.length = 0;
    await client.subscribe(['a', 'b'], () => undefined);
    expect(hook.of('onConnectionCreated')).toMatchObject([{ role: 'pubsub' }]);
    const end = hook.of('onCommandEnd').find((e) => e.name === 'SUBSCRIBE');
    expect(end).toMatchObject({ args: ['SUBSCRIBE', 'a', 'b'], error: undefined });
  });

  it('a command that times out ends with TimeoutError; the connection closes with reason error', async () => {
    const hook = recordingHook();
    const client = await connectedClient({ port: redis.port, hooks: [hook], commandTimeout: 50, reconnect: { initialDelay: 5, maxDelay: 10 } });
    hook.calls.length = 0;
    await expect(client.sendCommand(['DEBUG', 'SLEEP', '0.2'])).rejects.toBeInstanceOf(TimeoutError);
    expect(hook.of('onCommandEnd')[0]!.error).toBeInstanceOf(TimeoutError);
    const closed = hook.of('onConnectionClosed')[0]!;
    expect(closed).toMatchObject({ reason: 'error', role: 'shared' });
    expect(closed.error).toBeInstanceOf(TimeoutError);
    expect(closed.lifetime).toBeGreaterThan(0);
  });

  it('hooks that throw or reject never break commands; each failure is reported once per hook and member, and counted', async () => {
    const reports: HookErrorEvent[] = [];
    const thrower: Hook = { name: 'Thrower', onCommandStart: () => { throw new Error('start'); }, onCommandEnd: () => { throw new Error('end'); } };
    const rejecter: Hook = { name: 'Rejecter', onCommandEnd: async () => { throw new Error('async end'); } };
    const client = await connectedClient({ port: redis.port, hooks: [thrower, rejecter] });
    client.on('hookError', (e) => reports.push(e));
    for (let i = 0; i < 5; i++) expect(await client.incr('hook-errors')).toBe(i + 1);
    await expect(client.lPush('hook-errors', 'x')).rejects.toMatchObject({ code: 'WRONGTYPE' });
    await waitFor(() => reports.length === 3, 'three reports');
    expect(reports.map((r) => `${r.hook}.${r.member}`).sort()).toEqual(['Rejecter.onCommandEnd', 'Thrower.onCommandEnd', 'Thrower.onCommandStart']);
    expect(client.hookErrorCounts()).toEqual({ Thrower: { onCommandStart: 6, onCommandEnd: 6 }, Rejecter: { onCommandEnd: 6 } });
  });

  it('removing a hook mid-stream is safe: every start it saw gets its end', async () => {
    let starts = 0;
    let ends = 0;
    const hook: Hook = { onCommandStart: () => void starts++, onCommandEnd: () => void ends++ };
    const client = await connectedClient({ port: redis.port, hooks: [hook] });
    const replies: Array<Promise<number>> = [];
    for (let i = 0; i < 200; i++) {
      replies.push(client.incr('remove-mid'));
      if (i === 99) client.removeHook(hook);
    }
    const values = await Promise.all(replies);
    expect(values.at(-1)! - values[0]!).toBe(199);
    expect(starts).toBe(100);
    expect(ends).toBe(100);
    client.addHook(hook);
    await client.ping();
    expect(starts).toBe(101);
  });

  it('a reconnect after the server is killed: closed, reconnect attempts, offline queue, dial, handshake, created', async () => {
    const victim = await startRedis();
    try {
      const hook = recordingHook();
      const client = await connectedClient({ port: victim.port, hooks: [hook], reconnect: { initialDelay: 20, maxDelay: 40 } });
      hook.calls.length = 0;
      await victim.kill();
      await waitFor(() => hook.of('onReconnectAttempt').length >= 1, 'a reconnect attempt');
      const queued = client.set('during', 'outage');
      await victim.restart();
      expect(await queued).toBe('OK');
      const members = hook.calls.map((c) => c.member);
      expect(members[0]).toBe('onConnectionClosed');
      expect(hook.of('onConnectionClosed')[0]).toMatchObject({ role: 'shared', reason: expect.stringMatching(/^(server_close|error)$/) });
      expect(hook.of('onReconnectAttempt')[0]).toMatchObject({ attempt: 1, role: 'shared', server: { host: '127.0.0.1', port: victim.port } });
      expect(hook.of('onOfflineQueueChange')[0]).toMatchObject({ depth: 1, previousDepth: 0 });
      expect(hook.of('onOfflineQueueChange').at(-1)).toMatchObject({ depth: 0, previousDepth: 1 });
      const tail = members.slice(members.lastIndexOf('onDial'));
      expect(tail.slice(0, 3)).toEqual(['onDial', 'onHandshake', 'onConnectionCreated']);
      expect(hook.of('onDial').at(-1)!.error).toBeUndefined();
    } finally {
      await victim.stop();
    }
  });
});

describe('no credentials reach a hook', () => {
  let secured: RedisServer;
  beforeAll(async () => {
    secured = await startRedis({ args: ['--requirepass', 'TopSecret-1', '--user', 'carol', 'on', '>CarolPass-2', '~*', '&*', '+@all'] });
  });
  afterAll(async () => {
    await secured.stop();
  });

  it('requirepass and an ACL user: no payload of any event contains a password', async () => {
    const hook = recordingHook();
    const admin = await connectedClient({ port: secured.port, password: 'TopSecret-1', hooks: [hook] });
    const carol = await connectedClient({ url: `redis://carol:CarolPass-2@127.0.0.1:${secured.port}`, hooks: [hook] });
    await carol.set('k', 'v');
    await admin.sendCommand(['ACL', 'SETUSER', 'dave', 'on', '>DavePass-3', '~*', '+get']);
    await admin.sendCommand(['CONFIG', 'SET', 'masterauth', 'MasterAuth-4']);
    await admin.pipeline().sendCommand(['ACL', 'SETUSER', 'erin', 'on', '>ErinPass-5']).exec();
    const everything = JSON.stringify(hook.calls, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v instanceof Error ? v.message : v));
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of ['TopSecret-1', 'CarolPass-2', 'DavePass-3', 'MasterAuth-4', 'ErinPass-5']) expect(everything).not.toContain(secret);
    expect(everything).toContain('<redacted>');
  });
});
