import { LIB_NAME, VERSION } from '../version.js';

/** `hitless:<version>`, the observability spec's `redis.client.library` attribute. */
export const CLIENT_LIBRARY = `${LIB_NAME}:${VERSION}`;
