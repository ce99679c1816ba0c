import { as, spec, type Bulk, type Key } from '../command-spec.js';

export const serverCommands = {
  ping: spec((message?: string) => (message === undefined ? ['PING'] : ['PING', message]), as<string>()),
  echo: spec((message: string) => ['ECHO', message], as<Bulk>()),
  info: spec((section?: string) => (section === undefined ? ['INFO'] : ['INFO', section]), as<Bulk>()),
  dbSize: spec(() => ['DBSIZE'], as<number>()),
  flushDb: spec((mode?: 'ASYNC' | 'SYNC') => (mode ? ['FLUSHDB', mode] : ['FLUSHDB']), as<'OK'>()),
  flushAll: spec((mode?: 'ASYNC' | 'SYNC') => (mode ? ['FLUSHALL', mode] : ['FLUSHALL']), as<'OK'>()),
  time: spec(() => ['TIME'], as<[Bulk, Bulk]>()),
  clientId: spec(() => ['CLIENT', 'ID'], as<number>()),
  clientGetName: spec(() => ['CLIENT', 'GETNAME'], as<Bulk | null>()),
  publish: spec((channel: Key, message: Key | number) => ['PUBLISH', channel, message], as<number>()),
  sPublish: spec((channel: Key, message: Key | number) => ['SPUBLISH', channel, message], as<number>()),
};
