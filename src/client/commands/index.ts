import { hashCommands } from './hashes.js';
import { keyCommands } from './keys.js';
import { listCommands } from './lists.js';
import { scriptingCommands } from './scripting.js';
import { serverCommands } from './server.js';
import { setCommands } from './sets.js';
import { sortedSetCommands } from './sorted-sets.js';
import { stringCommands } from './strings.js';

/** Every typed command, by method name. */
export const COMMANDS = {
  ...stringCommands,
  ...keyCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...scriptingCommands,
  ...serverCommands,
};

export type Commands = typeof COMMANDS;
export type { SetOptions, GetExOptions } from './strings.js';
export type { ScanOptions } from './keys.js';
export type { HashEntry, HashFields } from './hashes.js';
export type { KeyElement, LPosOptions } from './lists.js';
export type { ZMember, ZAddOptions, ZRangeOptions, ZStoreOptions, KeyScoredMember } from './sorted-sets.js';
export type { ScriptInput } from './scripting.js';
