/**
 * Push frames with the exact shapes a Redis Enterprise endpoint sends (RESP3 `>` frames; strings
 * as bulk strings, which every client parser accepts; the MOVING target is a RESP3 null for
 * `moving-endpoint-type none`). The sequence number identifies the event, not the delivery: every
 * connection gets the same one.
 */

export type NotificationKind = 'MOVING' | 'MIGRATING' | 'MIGRATED' | 'FAILING_OVER' | 'FAILED_OVER' | 'SMIGRATING' | 'SMIGRATED';

/** One SMIGRATED entry: slots that moved from `source` to `destination` (both "host:port"). */
export interface SlotMove {
  source: string;
  destination: string;
  /** "123,456,789-1000" */
  slots: string;
}

const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
const int = (n: number): string => `:${Math.trunc(n)}\r\n`;

export function movingFrame(seq: number, timeS: number, endpoint: string | null): Buffer {
  return Buffer.from(`>4\r\n${bulk('MOVING')}${int(seq)}${int(timeS)}${endpoint === null ? '_\r\n' : bulk(endpoint)}`);
}

export function migratingFrame(seq: number, timeS: number, shards: string): Buffer {
  return Buffer.from(`>4\r\n${bulk('MIGRATING')}${int(seq)}${int(timeS)}${bulk(shards)}`);
}

export function migratedFrame(seq: number, shards: string): Buffer {
  return Buffer.from(`>3\r\n${bulk('MIGRATED')}${int(seq)}${bulk(shards)}`);
}

export function failingOverFrame(seq: number, timeS: number, shards: string): Buffer {
  return Buffer.from(`>4\r\n${bulk('FAILING_OVER')}${int(seq)}${int(timeS)}${bulk(shards)}`);
}

export function failedOverFrame(seq: number, shards: string): Buffer {
  return Buffer.from(`>3\r\n${bulk('FAILED_OVER')}${int(seq)}${bulk(shards)}`);
}

export function smigratingFrame(seq: number, slots: string): Buffer {
  return Buffer.from(`>3\r\n${bulk('SMIGRATING')}${int(seq)}${bulk(slots)}`);
}

/** Triplets `[source, destination, slots]`, the current format every client parses. */
export function smigratedFrame(seq: number, moves: readonly SlotMove[]): Buffer {
  const entries = moves.map((m) => `*3\r\n${bulk(m.source)}${bulk(m.destination)}${bulk(m.slots)}`).join('');
  return Buffer.from(`>3\r\n${bulk('SMIGRATED')}${int(seq)}*${moves.length}\r\n${entries}`);
}

/** Slots as the notifications spell them: sorted, contiguous runs collapsed ("1,5-9"). */
export function formatSlots(slots: readonly number[]): string {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Parses "1,5-9" into slot numbers; throws a RangeError naming the bad part. */
export function parseSlots(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw new RangeError(`invalid slot range "${part}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > to || to > 16383) throw new RangeError(`invalid slot range "${part}" (slots are 0-16383)`);
    for (let s = from; s <= to; s++) out.push(s);
  }
  return out;
}
