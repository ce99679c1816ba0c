import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommands, ReplyError, type CommandArgument, type RespValue } from '../../src/protocol/index.js';
import { Simulator } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { RawClient, type Received } from './support/raw-client.js';

/**
 * Commands the proxy answers itself (the maintenance handshake, interceptors) keep their place
 * among the upstream's replies in every mode where counting replies goes wrong: subscribe
 * confirmations (pushes in RESP3, arrays in RESP2), argument-less UNSUBSCRIBE, PING while
 * subscribed in RESP2, MULTI, CLIENT REPLY OFF, RESET and HELLO switching protocol.
 */

let redis: RedisServer;
let sim: Simulator;
let port: number;
const clients: RawClient[] = [];

const connect = async (): Promise<RawClient> => {
  const client = await RawClient.connect('127.0.0.1', port);
  clients.push(client);
  return client;
};

const reply = (value: RespValue): Received => ({ kind: 'reply', value });
const push = (...value: RespValue[]): Received => ({ kind: 'push', value });
const OPT_IN = ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'];
const record = (client: RawClient) => sim.connections().find((c) => c.clientPort === client.socket.localPort)!;

/** Sends `commands` in one write and waits until `expected.length` frames arrived. */
async function exchange(client: RawClient, commands: CommandArgument[][], expected: number): Promise<Received[]> {
  const before = client.received.length;
  client.socket.write(encodeCommands(commands));
  await waitReceived(client, before + expected);
  return client.received.slice(before);
}

async function waitReceived(client: RawClient, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (client.received.length < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} frames (have ${client.received.length})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  sim = await Simulator.start({ nodes: [{ upstream: { host: redis.host, port: redis.port } }] });
  port = sim.nodes()[0]!.port;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await sim?.close();
  await redis?.stop();
});

describe('reply order: subscribe family', () => {
  it('RESP3: SUBSCRIBE a b c + opt-in in one write gives the three confirmations strictly before +OK', async () => {
    const client = await connect();
    await client.call(['HELLO', '3']);
    const got = await exchange(client, [['SUBSCRIBE', 'a', 'b', 'c'], OPT_IN, ['PING']], 5);
    expect(got).toEqual([
      push('subscribe', 'a', 1), push('subscribe', 'b', 2), push('subscribe', 'c', 3), reply('OK'), reply('PONG'),
    ]);
    expect(record(client).optedIn).toBe(true);
  });

  it('RESP2: SUBSCRIBE a b c + opt-in in one write gives the three confirmation arrays strictly before +OK', async () => {
    const client = await connect();
    const got = await exchange(client, [['SUBSCRIBE', 'a', 'b', 'c'], OPT_IN, ['PING']], 5);
    expect(got).toEqual([
      reply(['subscribe', 'a', 1]), reply(['subscribe', 'b', 2]), reply(['subscribe', 'c', 3]), reply('OK'), reply(['pong', '']),
    ]);
    expect(record(client).optedIn).toBe(true);
  });

  it('argument-less UNSUBSCRIBE: one confirmation per subscribed channel, or one when none, before the local reply', async () => {
    const client = await connect();
    await client.call(['HELLO', '3']);
    await exchange(client, [['SUBSCRIBE', 'x', 'y']], 2);
    const got = await exchange(client, [['UNSUBSCRIBE'], OPT_IN, ['UNSUBSCRIBE'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'OFF']], 5);
    const channels = got.slice(0, 2).map((r) => (r.value as RespValue[])[1]).sort();
    expect(channels).toEqual(['x', 'y']);
    expect(got.slice(0, 2).every((r) => r.kind === 'push' && (r.value as RespValue[])[0] === 'unsubscribe')).toBe(true);
    expect(got.slice(2)).toEqual([reply('OK'), push('unsubscribe', null, 0), reply('OK')]);
    expect(record(client).optedIn).toBe(false);
  });

  it('RESP2 while subscribed: PING, a local command and PING keep their order while messages stream in', async () => {
    const client = await connect();
    await exchange(client, [['SUBSCRIBE', 'news']], 1);
    // Messages are arrays too. A publisher keeps them coming, so they land between a PING and
    // its pong, and none of them may be taken for the PING's reply.
    const publisher = await RawClient.connect(redis.host, redis.port);
    clients.push(publisher);
    let publishing = true;
    const flood = (async () => {
      while (publishing) await publisher.call(...Array.from({ length: 500 }, () => ['PUBLISH', 'news', 'm']));
    })();
    const isMessage = (r: Received): boolean => Array.isArray(r.value) && r.value[0] === 'message';
    let messagesBeforePong = 0;
    try {
      await waitReceived(client, 100);
      for (let round = 0; round < 30; round++) {
        const from = client.received.length;
        client.send(['PING', `r${round}`], round % 2 === 0 ? OPT_IN : ['CLIENT', 'MAINT_NOTIFICATIONS', 'OFF'], ['PING', 'last']);
        const others = (): Received[] => client.received.slice(from).filter((r) => !isMessage(r));
        const deadline = Date.now() + 10_000;
        while (others().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
        expect(others()).toEqual([reply(['pong', `r${round}`]), reply('OK'), reply(['pong', 'last'])]);
        const pongAt = client.received.findIndex((r, i) => i >= from && !isMessage(r));
        messagesBeforePong += client.received.slice(from, pongAt).length;
      }
    } finally {
      publishing = false;
      await flood;
    }
    // The case was exercised: messages did arrive between a PING and its pong.
    expect(messagesBeforePong).toBeGreaterThan(0);
  });
});

describe('reply order: connection states', () => {
  it('MULTI: a local command inside is QUEUED and answered inside the EXEC array (and takes effect then)', async () => {
    const client = await connect();
    await client.call(['HELLO', '3']);
    const got = await exchange(client, [['MULTI'], ['SET', 'multi:k', 'v'], OPT_IN, ['GET', 'multi:k']], 4);
    expect(got.map((r) => r.value)).toEqual(['OK', 'QUEUED', 'QUEUED', 'QUEUED']);
    expect(record(client).optedIn).toBe(false);
    const [exec] = await client.call(['EXEC']);
    expect(exec).toEqual(['OK', 'OK', 'v']);
    expect(record(client).optedIn).toBe(true);
  });

  it('MULTI then DISCARD: the queued local command never runs, and later ones still answer in order', async () => {
    const client = await connect();
    const got = await client.call(['MULTI'], OPT_IN, ['DISCARD'], ['ECHO', 'after'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'OFF'], ['ECHO', 'end']);
    expect(got).toEqual(['OK', 'QUEUED', 'OK', 'after', 'OK', 'end']);
    expect(record(client).optedIn).toBe(false);
  });

  it('CLIENT REPLY OFF: a local command gets no reply, like any other, and nothing hangs behind it', async () => {
    const intercepted = ['ECHO', 'silenced'];
    sim.interceptors.add('reply-off-test', encodeCommands([intercepted]), Buffer.from('+canned\r\n'));
    try {
      const client = await connect();
      client.send(['CLIENT', 'REPLY', 'OFF'], intercepted, ['ECHO', 'unseen'], ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'seen'], OPT_IN);
      await client.waitReplies(3);
      await client.call(['ECHO', 'flush']);
      expect(client.replies).toEqual(['OK', 'seen', 'OK', 'flush']);
      expect(record(client).optedIn).toBe(true);
    } finally {
      sim.interceptors.remove('reply-off-test');
    }
  });

  it('RESET and HELLO 2/3 switch the reply shapes; local replies keep their place across them', async () => {
    const client = await connect();
    await client.call(['HELLO', '3']);
    await exchange(client, [['SUBSCRIBE', 'r']], 1);
    const got = await exchange(client, [['RESET'], OPT_IN, ['HELLO', '3'], OPT_IN, ['HELLO', '2'], OPT_IN, ['ECHO', 'end']], 7);
    expect(got.map((r) => r.kind)).toEqual(['reply', 'reply', 'reply', 'reply', 'reply', 'reply', 'reply']);
    expect(got[0]!.value).toBe('RESET');
    expect(got[1]!.value).toBe('OK');
    expect(got[2]!.value).toMatchObject({ proto: 3 });
    expect(got[3]!.value).toBe('OK');
    expect(got[4]!.value).toContain('proto');
    expect(got.slice(5).map((r) => r.value)).toEqual(['OK', 'end']);
  });

  it('an upstream that refuses the command (NOAUTH) answers in its place, and the client is not opted in', async () => {
    const guarded = await startRedis({ args: ['--requirepass', 'secret'] });
    const guardedSim = await Simulator.start({ nodes: [{ upstream: { host: guarded.host, port: guarded.port } }] });
    try {
      const client = await RawClient.connect('127.0.0.1', guardedSim.nodes()[0]!.port);
      clients.push(client);
      const got = await client.call(OPT_IN, ['AUTH', 'secret'], OPT_IN, ['ECHO', 'end']);
      expect(got[0]).toBeInstanceOf(ReplyError);
      expect((got[0] as ReplyError).message).toMatch(/^NOAUTH/);
      expect(got.slice(1)).toEqual(['OK', 'OK', 'end']);
      expect(guardedSim.connections()[0]!.optedIn).toBe(true);
    } finally {
      await guardedSim.close();
      await guarded.stop();
    }
  });
});

describe('reply order: heavy pipelining', () => {
  /**
   * One long pipeline: ECHOs (PINGs while subscribed in RESP2), opt-ins, an intercepted command,
   * SUBSCRIBE, argument-less UNSUBSCRIBE with and without a subscription. Every frame the client
   * gets is predictable, so the whole stream is compared.
   */
  function mix(resp: 2 | 3, n: number): { commands: CommandArgument[][]; expected: Received[] } {
    const commands: CommandArgument[][] = [];
    const expected: Received[] = [];
    const confirm = resp === 3 ? push : (...v: RespValue[]): Received => reply(v);
    let subscribed: string | undefined;
    for (let i = 0; i < n; i++) {
      const step = i % 100;
      if (step === 11) {
        subscribed = `ch${i}`;
        commands.push(['SUBSCRIBE', subscribed]);
        expected.push(confirm('subscribe', subscribed, 1));
      } else if (step === 61 || step === 90) {
        commands.push(['UNSUBSCRIBE']);
        expected.push(confirm('unsubscribe', subscribed ?? null, 0));
        subscribed = undefined;
      } else if (i % 50 === 7 || step === 12 || step === 62) {
        // Also right behind SUBSCRIBE and UNSUBSCRIBE, before their confirmations can arrive.
        commands.push(step < 50 ? OPT_IN : ['CLIENT', 'MAINT_NOTIFICATIONS', 'OFF']);
        expected.push(reply('OK'));
      } else if (i % 50 === 23 || step === 91) {
        commands.push(['ECHO', 'intercepted']);
        expected.push(reply('canned'));
      } else if (subscribed !== undefined && resp === 2) {
        commands.push(['PING', `p${i}`]);
        expected.push(reply(['pong', `p${i}`]));
      } else {
        commands.push(['ECHO', `e${i}`]);
        expected.push(reply(`e${i}`));
      }
    }
    return { commands, expected };
  }

  it.each([2, 3] as const)('RESP%i: 5000 pipelined commands with local ones among them come back exactly in order', async (resp) => {
    sim.interceptors.add('reply-order-test', encodeCommands([['ECHO', 'intercepted']]), Buffer.from('+canned\r\n'));
    try {
      const client = await connect();
      if (resp === 3) await client.call(['HELLO', '3']);
      const { commands, expected } = mix(resp, 5000);
      const before = client.received.length;
      const got = await exchange(client, commands, expected.length);
      const firstWrong = expected.findIndex((e, i) => JSON.stringify(got[i]) !== JSON.stringify(e));
      expect({ firstWrong, got: got[firstWrong] }).toEqual({ firstWrong: -1, got: undefined });
      // Nothing extra arrived after the last expected frame.
      await client.call(['ECHO', 'done']);
      expect(client.received.length).toBe(before + expected.length + 1);
      expect(client.errors).toEqual([]);
    } finally {
      sim.interceptors.remove('reply-order-test');
    }
  });
});
