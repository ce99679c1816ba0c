/**
 * Quick start: connect, a few typed commands, close.
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/quick-start.ts
 */
import { createClient } from 'hitless';

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
client.on('error', (error) => console.error('redis connection problem:', error.message));
await client.connect();

await client.set('example:greeting', 'hello', { EX: 60 });
console.log('greeting:', await client.get('example:greeting'));
await client.hSet('example:user:1', { name: 'Ada', lang: 'en' });
console.log('user:', await client.hGetAll('example:user:1'));
await client.zAdd('example:board', [{ score: 10, value: 'ada' }, { score: 7, value: 'alan' }]);
console.log('board:', await client.zRangeWithScores('example:board', 0, -1));
console.log('encoding:', await client.sendCommand(['OBJECT', 'ENCODING', 'example:user:1']));
await client.del('example:greeting', 'example:user:1', 'example:board');

await client.close();
