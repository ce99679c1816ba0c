export { Client, createClient, WatchScope, type ClientEvents, type ReconnectingEvent, type SendCommandOptions } from './client.js';
export { Multi, Pipeline } from './batch.js';
export type { Bulk, Key, Value, ScoredMember, Resolve } from './command-spec.js';
export type { ClientOptions } from './options.js';
export type { MessageListener, SubscriptionKind } from './pubsub.js';
export type {
  GetExOptions, HashEntry, HashFields, KeyElement, KeyScoredMember, LPosOptions, ScanOptions, ScriptInput, SetOptions, ZAddOptions, ZMember,
  ZRangeOptions, ZStoreOptions,
} from './commands/index.js';
