/**
 * Notification hooks and allowedEndpoints: the policies a user puts around maintenance, through
 * simulated Redis Enterprise nodes in front of one real redis-server. Pre-hooks see, rewrite or
 * stop a notification (in registration order, each seeing the previous rewrite), post-hooks see
 * what the handler did, a throwing hook is isolated, and a MOVING is only followed to an allowed
 * endpoint, also after a rewrite.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient, HandoffError, type Client, type DialEvent, type Endpoint, type HandoffEvent, type HookErrorEvent, type MaintNotifications,
  type MaintNotificationsOptions, type Notification, type NotificationContext, type NotificationHandledEvent, type NotificationHook,
  type NotificationResult, type NotificationType, type TimeoutRelaxedEvent,
} from '../../src/index.js';
import { failedOverFrame, migratedFrame, migratingFrame, movingFrame, Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let redis: RedisServer;
let sim: Simulator;
/** Where clients connect. */
let a: NodeInfo;
/** MOVING targets. */
let b: NodeInfo;
let c: NodeInfo;
let clients: Client[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({
    nodes: [{ upstream }, { upstream }, { upstream }],
    timings: { migrateWaitMs: 100, failoverWaitMs: 100, smigrateWaitMs: 100, movingTimeS: 1 },
  });
  [a, b, c] = sim.nodes() as [NodeInfo, NodeInfo, NodeInfo];
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await waitFor(() => sim.nodes().every((n) => n.activeConnections === 0), 'the simulator to see every client connection closed');
});

afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});

const at = (node: NodeInfo): Endpoint => ({ host: '127.0.0.1', port: node.port });
const text = (endpoint: Endpoint | null): string => (endpoint === null ? 'null' : `${endpoint.host}:${endpoint.port}`);
const endpointOf = (n: Notification): string => (n.type === 'MOVING' ? text(n.endpoint) : '-');
/** A rewrite of a MOVING's endpoint (other types pass unchanged). */
const movingTo = (n: Notification, endpoint: Endpoint): Notification | undefined => (n.type === 'MOVING' ? { ...n, endpoint } : undefined);

interface Observed {
  client: Client;
  maint: MaintNotifications;
  /** The shared connection's id when connected. */
  id: number;
  errors: Error[];
  hookErrors: HookErrorEvent[];
  dials: DialEvent[];
  handled: NotificationHandledEvent[];
  relaxed: TimeoutRelaxedEvent[];
  handoffs: HandoffEvent[];
}

async function connected(maintNotifications: MaintNotificationsOptions = {}): Promise<Observed> {
  const o: Omit<Observed, 'client' | 'maint' | 'id'> = { errors: [], hookErrors: [], dials: [], handled: [], relaxed: [], handoffs: [] };
  const client = createClient({
    host: '127.0.0.1',
    port: a.port,
    maintNotifications: { mode: 'enabled', relaxedTimeout: 500, ...maintNotifications },
    hooks: [{
      name: 'PolicyRecorder',
      onDial: (e) => void o.dials.push(e),
      onNotificationHandled: (e) => void o.handled.push(e),
      onTimeoutRelaxed: (e) => void o.relaxed.push(e),
      onHandoff: (e) => void o.handoffs.push(e),
    }],
  });
  clients.push(client);
  client.on('error', (error) => o.errors.push(error));
  client.on('hookError', (event) => o.hookErrors.push(event));
  await client.connect();
  const [shared] = client.connections();
  return { client, maint: client.maintNotifications!, id: shared!.id, ...o };
}

function inject(frames: Buffer): void {
  expect(sim.sendToAll(frames, [a.id])).toEqual([expect.objectContaining({ success: true })]);
}

async function handledCount(o: Observed, n: number): Promise<void> {
  await waitFor(() => o.handled.length >= n, `${n} notifications handled`);
}

/** The connection still serves, and is the same one. */
async function stillServing(o: Observed): Promise<void> {
  await o.client.set('hooks:key', 'value');
  expect(await o.client.get('hooks:key')).toBe('value');
  expect(o.client.connections().map((x) => x.id)).toEqual([o.id]);
}

describe('preHook', () => {
  it('sees (ctx, type, notification) with the receiving connection and the decoded frame', async () => {
    const o = await connected();
    const calls: Array<{ ctx: NotificationContext; type: NotificationType; notification: Notification }> = [];
    o.maint.addNotificationHook({ name: 'Seer', preHook: (ctx, type, notification) => void calls.push({ ctx, type, notification }) });
    const result = await sim.migrate({ nodes: [a.id] });
    await handledCount(o, 2);
    expect(calls.map((x) => x.type)).toEqual(['MIGRATING', 'MIGRATED']);
    const [start, end] = calls as [(typeof calls)[0], (typeof calls)[0]];
    expect(start.ctx).toEqual({ connectionId: o.id, server: at(a), role: 'shared', frame: ['MIGRATING', result.seq, expect.any(Number), '["1"]'] });
    expect(start.notification).toEqual({ type: 'MIGRATING', seq: result.seq, timeS: start.ctx.frame[2], shards: '["1"]' });
    expect(end.ctx).toEqual({ connectionId: o.id, server: at(a), role: 'shared', frame: ['MIGRATED', result.completionSeq, '["1"]'] });
    expect(end.notification).toEqual({ type: 'MIGRATED', seq: result.completionSeq, shards: '["1"]' });
    expect(o.handled.map((e) => e.outcome)).toEqual(['handled', 'handled']);
    expect(o.relaxed).toHaveLength(1);
  });

  it('returning false stops a MIGRATING: no relaxation, outcome stopped naming the hook, no later preHook, no postHook', async () => {
    const o = await connected();
    const log: string[] = [];
    o.maint.addNotificationHook({
      name: 'Stopper',
      preHook: (_ctx, type) => (type === 'MIGRATING' ? false : undefined),
      postHook: (_ctx, type, _n, result) => void log.push(`Stopper post ${type} ${result.outcome}`),
    });
    o.maint.addNotificationHook({
      name: 'After',
      preHook: (_ctx, type) => void log.push(`After pre ${type}`),
      postHook: (_ctx, type, _n, result) => void log.push(`After post ${type} ${result.outcome}`),
    });
    await sim.migrate({ nodes: [a.id] });
    await handledCount(o, 2);
    const [migrating, migrated] = o.handled;
    expect(migrating).toMatchObject({ type: 'MIGRATING', outcome: 'stopped', connectionId: o.id });
    expect(migrating!.detail).toContain('Stopper');
    expect(o.relaxed).toEqual([]);
    expect(o.maint.getState().connections).toMatchObject([{ connectionId: o.id, relaxed: [] }]);
    // The MIGRATED is not stopped; with no window open it is ignored, and every post-hook sees that.
    expect(migrated).toMatchObject({ type: 'MIGRATED', outcome: 'ignored' });
    expect(log).toEqual(['After pre MIGRATED', 'Stopper post MIGRATED ignored', 'After post MIGRATED ignored']);
    await stillServing(o);
  });

  it('rewriting a MOVING endpoint to another node: the handoff goes there', async () => {
    const o = await connected();
    o.maint.addNotificationHook({ name: 'ToC', preHook: (_ctx, _type, n) => movingTo(n, at(c)) });
    const running = sim.moving({ from: [a.id], to: b.id });
    await waitFor(() => o.handoffs.some((h) => h.stage === 'succeeded' || h.stage === 'failed'), 'the handoff to finish');
    const done = o.handoffs.find((h) => h.stage === 'succeeded' || h.stage === 'failed')!;
    expect(done).toMatchObject({ stage: 'succeeded', connectionId: o.id, from: at(a), to: at(c), replacementId: expect.any(Number) });
    expect(o.handled).toMatchObject([{ type: 'MOVING', outcome: 'handled' }]);
    await waitFor(() => o.client.connections().some((x) => x.role === 'shared' && x.endpoint.port === c.port), 'the shared connection on C');
    expect(o.client.connections().find((x) => x.role === 'shared')).toMatchObject({ id: done.replacementId, endpoint: at(c) });
    expect(o.dials.filter((d) => d.server.port === b.port)).toEqual([]);
    expect(sim.connections(b.id)).toEqual([]);
    expect(sim.connections(c.id)).toMatchObject([{ optedIn: true }]);
    await running;
    expect(await o.client.ping()).toBe('PONG');
    expect(o.errors).toEqual([]);
  });

  it('a rewrite outside allowedEndpoints is refused: the list still applies after a rewrite', async () => {
    const o = await connected({ allowedEndpoints: [`127.0.0.1:${b.port}`] });
    const rewrite: NotificationHook = { name: 'ToC', preHook: (_ctx, _type, n) => movingTo(n, at(c)) };
    o.maint.addNotificationHook(rewrite);
    const dials = o.dials.length;
    inject(movingFrame(1, 5, `127.0.0.1:${b.port}`));
    await handledCount(o, 1);
    expect(o.handled[0]).toMatchObject({ type: 'MOVING', outcome: 'refused' });
    expect(o.handled[0]!.error).toBeInstanceOf(HandoffError);
    expect((o.handled[0]!.error as HandoffError).code).toBe('ERR_HANDOFF_NOT_ALLOWED');
    expect(o.handoffs).toMatchObject([{ stage: 'refused', connectionId: o.id, to: at(c) }]);
    expect(o.dials).toHaveLength(dials);
    expect(sim.connections(c.id)).toEqual([]);
    expect(o.maint.getState().redirects).toEqual([]);
    await stillServing(o);

    // Control: the same MOVING without the rewrite is followed (B is allowed).
    expect(o.maint.removeNotificationHook(rewrite)).toBe(true);
    inject(movingFrame(2, 5, `127.0.0.1:${b.port}`));
    await waitFor(() => o.handoffs.some((h) => h.stage === 'succeeded'), 'the handoff to B');
    expect(o.handoffs.find((h) => h.stage === 'succeeded')).toMatchObject({ to: at(b), seq: 2 });
    expect(o.errors).toEqual([]);
  });

  it('a rewrite to an undialable endpoint (port 0) fails the notification, dials nothing', async () => {
    const o = await connected();
    o.maint.addNotificationHook({ name: 'ToNowhere', preHook: (_ctx, _type, n) => movingTo(n, { host: '127.0.0.1', port: 0 }) });
    const dials = o.dials.length;
    inject(movingFrame(1, 5, `127.0.0.1:${b.port}`));
    await handledCount(o, 1);
    expect(o.handled[0]).toMatchObject({ type: 'MOVING', outcome: 'failed' });
    expect(o.handled[0]!.error).toBeInstanceOf(HandoffError);
    expect(o.handoffs.filter((h) => h.stage !== 'failed')).toEqual([]);
    expect(o.dials).toHaveLength(dials);
    expect(sim.connections(b.id)).toEqual([]);
    expect(o.maint.getState().redirects).toEqual([]);
    await stillServing(o);
    expect(o.errors).toEqual([]);
  });
});

describe('hook order', () => {
  it('hooks run in registration order, each preHook getting the previous rewrite; post-hooks see the final one', async () => {
    const o = await connected();
    const log: string[] = [];
    const hook = (name: string, rewrite: Endpoint | undefined): NotificationHook => ({
      name,
      preHook: (_ctx, _type, n) => {
        log.push(`${name} pre ${endpointOf(n)}`);
        return rewrite === undefined ? undefined : movingTo(n, rewrite);
      },
      postHook: (_ctx, _type, n, result) => void log.push(`${name} post ${endpointOf(n)} ${result.outcome}`),
    });
    o.maint.addNotificationHook(hook('First', at(b)));
    o.maint.addNotificationHook(hook('Second', at(c)));
    o.maint.addNotificationHook(hook('Third', undefined));
    inject(movingFrame(1, 5, '127.0.0.1:1'));
    await waitFor(() => o.handoffs.some((h) => h.stage === 'succeeded' || h.stage === 'failed'), 'the handoff to finish');
    expect(log).toEqual([
      'First pre 127.0.0.1:1',
      `Second pre 127.0.0.1:${b.port}`,
      `Third pre 127.0.0.1:${c.port}`,
      `First post 127.0.0.1:${c.port} handled`,
      `Second post 127.0.0.1:${c.port} handled`,
      `Third post 127.0.0.1:${c.port} handled`,
    ]);
    expect(o.handoffs.find((h) => h.stage === 'succeeded')).toMatchObject({ to: at(c) });
    expect(o.dials.filter((d) => d.server.port === b.port || d.server.port === 1)).toEqual([]);
    expect(o.errors).toEqual([]);
  });
});

describe('postHook', () => {
  it('gets {outcome, detail, error, duration} for handled, ignored and refused notifications', async () => {
    const o = await connected({ allowedEndpoints: [`127.0.0.1:${b.port}`] });
    const results: Array<[NotificationType, NotificationResult]> = [];
    o.maint.addNotificationHook({ name: 'Post', postHook: (_ctx, type, _n, result) => void results.push([type, result]) });
    inject(Buffer.concat([
      migratingFrame(1, 1, '["1"]'),
      migratedFrame(2, '["1"]'),
      failedOverFrame(4, '["1"]'),
      movingFrame(5, 5, `127.0.0.1:${c.port}`),
    ]));
    await handledCount(o, 4);
    expect(results.map(([type, r]) => [type, r.outcome])).toEqual([
      ['MIGRATING', 'handled'], ['MIGRATED', 'handled'], ['FAILED_OVER', 'ignored'], ['MOVING', 'refused'],
    ]);
    for (const [, r] of results) {
      expect(r.duration).toBeGreaterThanOrEqual(0);
      expect(Object.keys(r).sort()).toEqual(['detail', 'duration', 'error', 'outcome']);
    }
    const [handled, , ignored, refused] = results.map(([, r]) => r) as [NotificationResult, NotificationResult, NotificationResult, NotificationResult];
    expect(handled).toMatchObject({ detail: undefined, error: undefined });
    expect(ignored.error).toBeUndefined();
    expect(ignored.detail).toMatch(/no FAILING_OVER window/);
    expect(refused.error).toBeInstanceOf(HandoffError);
    expect(refused.detail).toContain('allowedEndpoints');
    // What the post-hooks saw is what the hook events report.
    expect(o.handled.map((e) => [e.outcome, e.detail, e.error])).toEqual(results.map(([, r]) => [r.outcome, r.detail, r.error]));
    expect(o.dials.filter((d) => d.server.port === c.port)).toEqual([]);
    await stillServing(o);
  });
});

describe('isolation and registration', () => {
  it('a throwing preHook and postHook: still handled, hookError once per member, every throw counted', async () => {
    const o = await connected();
    const seen: NotificationType[] = [];
    o.maint.addNotificationHook({
      name: 'Thrower',
      preHook: () => {
        throw new Error('pre boom');
      },
      postHook: () => {
        throw new Error('post boom');
      },
    });
    o.maint.addNotificationHook({ name: 'Watcher', preHook: (_ctx, type) => void seen.push(type) });
    inject(Buffer.concat([migratingFrame(1, 1, '["1"]'), migratedFrame(2, '["1"]'), migratingFrame(3, 1, '["1"]')]));
    await handledCount(o, 3);
    expect(o.handled.map((e) => e.outcome)).toEqual(['handled', 'handled', 'handled']);
    expect(o.relaxed).toHaveLength(2);
    expect(seen).toEqual(['MIGRATING', 'MIGRATED', 'MIGRATING']);
    expect(o.hookErrors).toEqual([
      { hook: 'Thrower', member: 'preHook', error: new Error('pre boom'), count: 1 },
      { hook: 'Thrower', member: 'postHook', error: new Error('post boom'), count: 1 },
    ]);
    expect(o.client.hookErrorCounts()).toEqual({ Thrower: { preHook: 3, postHook: 3 } });
    expect(o.errors).toEqual([]);
    await stillServing(o);
  });

  it('removeNotificationHook stops calls; adding the same hook twice calls it once', async () => {
    const o = await connected();
    const calls = { pre: 0, post: 0 };
    const hook: NotificationHook = { name: 'Counter', preHook: () => void calls.pre++, postHook: () => void calls.post++ };
    o.maint.addNotificationHook(hook);
    o.maint.addNotificationHook(hook);
    inject(migratingFrame(1, 1, '["1"]'));
    await handledCount(o, 1);
    expect(calls).toEqual({ pre: 1, post: 1 });
    expect(o.maint.removeNotificationHook(hook)).toBe(true);
    inject(migratedFrame(2, '["1"]'));
    await handledCount(o, 2);
    expect(o.handled.map((e) => e.outcome)).toEqual(['handled', 'handled']);
    expect(calls).toEqual({ pre: 1, post: 1 });
    expect(o.maint.removeNotificationHook(hook)).toBe(false);
  });
});

describe('allowedEndpoints', () => {
  const lists: Array<[string, () => MaintNotificationsOptions['allowedEndpoints']]> = [
    ['a pattern list', () => [`127.0.0.1:${b.port}`, '*.example.com', '10.0.0.0/8']],
    ['a predicate', () => (endpoint: Endpoint) => endpoint.host === '127.0.0.1' && endpoint.port === b.port],
  ];
  it.each(lists)('%s: a MOVING outside is refused and not dialled, the connection serves on; an allowed one is followed', async (_what, allowed) => {
    const o = await connected({ allowedEndpoints: allowed() });
    const dials = o.dials.length;
    inject(movingFrame(1, 5, `127.0.0.1:${c.port}`));
    await handledCount(o, 1);
    expect(o.handled[0]).toMatchObject({ type: 'MOVING', outcome: 'refused', connectionId: o.id });
    expect(o.handoffs).toMatchObject([{ stage: 'refused', connectionId: o.id, from: at(a), to: at(c), seq: 1 }]);
    expect(o.handoffs[0]!.error).toBeInstanceOf(HandoffError);
    expect(o.dials).toHaveLength(dials);
    expect(sim.connections(c.id)).toEqual([]);
    expect(o.maint.getState().redirects).toEqual([]);
    expect(o.maint.getActiveOperations()).toEqual([]);
    await stillServing(o);

    inject(movingFrame(2, 5, `127.0.0.1:${b.port}`));
    await waitFor(() => o.handoffs.some((h) => h.stage === 'succeeded' || h.stage === 'failed'), 'the handoff to B');
    expect(o.handoffs.find((h) => h.stage === 'succeeded' || h.stage === 'failed')).toMatchObject({ stage: 'succeeded', to: at(b), seq: 2 });
    expect(o.dials.filter((d) => d.server.port === c.port)).toEqual([]);
    expect(o.errors).toEqual([]);
  });

  it('a predicate that throws refuses', async () => {
    const o = await connected({
      allowedEndpoints: () => {
        throw new Error('policy service down');
      },
    });
    const dials = o.dials.length;
    inject(movingFrame(1, 5, `127.0.0.1:${b.port}`));
    await handledCount(o, 1);
    expect(o.handled[0]).toMatchObject({ type: 'MOVING', outcome: 'refused' });
    expect(o.handoffs).toMatchObject([{ stage: 'refused', to: at(b) }]);
    expect(o.dials).toHaveLength(dials);
    expect(sim.connections(b.id)).toEqual([]);
    await stillServing(o);
    expect(o.errors).toEqual([]);
  });
});
