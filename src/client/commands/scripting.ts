import type { CommandArgument, RespValue } from '../../protocol/index.js';
import { as, spec, type Bulk, type Key, type Value } from '../command-spec.js';

export interface ScriptInput {
  keys?: Key[];
  arguments?: Value[];
}

const scriptArgs = (command: string, scriptOrName: string, input?: ScriptInput): CommandArgument[] => [
  command, scriptOrName, input?.keys?.length ?? 0, ...(input?.keys ?? []), ...(input?.arguments ?? []),
];

export const scriptingCommands = {
  eval: spec((script: string, input?: ScriptInput) => scriptArgs('EVAL', script, input), as<RespValue>()),
  evalRo: spec((script: string, input?: ScriptInput) => scriptArgs('EVAL_RO', script, input), as<RespValue>()),
  evalSha: spec((sha1: string, input?: ScriptInput) => scriptArgs('EVALSHA', sha1, input), as<RespValue>()),
  scriptLoad: spec((script: string) => ['SCRIPT', 'LOAD', script], as<Bulk>()),
  scriptExists: spec((...sha1s: string[]) => ['SCRIPT', 'EXISTS', ...sha1s], as<number[]>()),
  scriptFlush: spec((mode?: 'ASYNC' | 'SYNC') => (mode ? ['SCRIPT', 'FLUSH', mode] : ['SCRIPT', 'FLUSH']), as<'OK'>()),
  fCall: spec((fn: string, input?: ScriptInput) => scriptArgs('FCALL', fn, input), as<RespValue>()),
  fCallRo: spec((fn: string, input?: ScriptInput) => scriptArgs('FCALL_RO', fn, input), as<RespValue>()),
  functionLoad: spec((code: string, options?: { REPLACE?: boolean }) =>
    options?.REPLACE ? ['FUNCTION', 'LOAD', 'REPLACE', code] : ['FUNCTION', 'LOAD', code], as<Bulk>()),
  functionDelete: spec((library: string) => ['FUNCTION', 'DELETE', library], as<'OK'>()),
  /** Deletes every library (FLUSHDB/FLUSHALL leave functions in place). */
  functionFlush: spec((mode?: 'ASYNC' | 'SYNC') => (mode ? ['FUNCTION', 'FLUSH', mode] : ['FUNCTION', 'FLUSH']), as<'OK'>()),
};
