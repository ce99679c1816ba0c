export { Command, commandName, createCommand, DEFAULT_TIMEOUT, type CommandObserver, type ReplyTransform } from './command.js';
export { Connection, type ConnectionOptions, type ConnectionOwner, type ConnectionState } from './connection.js';
export { ConnectionError, TimeoutError } from './errors.js';
export { DEFAULT_HANDSHAKE, helloStep, libraryInfoStep, selectStep, type HandshakeContext, type HandshakeOptions, type HandshakeStep } from './handshake.js';
export type {
  CloseReason, ConnectionAcquireEvent, ConnectionClosedEvent, ConnectionCreatedEvent, ConnectionEvents, ConnectionStateEvent, ConnectionUse, ConnectionRole, DialEvent, Endpoint, HandshakeEvent, HandshakeStepOutcome, PeerAddress, WrittenTo,
} from './types.js';
export { ConnectionFactory, type ConnectionPolicy, type ConnectionTemplate, type OpenOptions } from './factory.js';
