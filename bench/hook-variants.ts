/**
 * The hook configurations of issue 10's benchmark: none, one hook implementing nothing, one that
 * counts command start/end, and three such counting hooks.
 */
import type { CommandEvent, Hook } from '../src/index.js';

export class CountingHook implements Hook {
  readonly name: string;
  starts = 0;
  ends = 0;

  constructor(name: string) {
    this.name = name;
  }

  onCommandStart(_event: CommandEvent): unknown {
    this.starts++;
    return undefined;
  }

  onCommandEnd(_event: CommandEvent, _state: unknown): void {
    this.ends++;
  }
}

export interface HookVariant {
  name: string;
  hooks: Hook[];
  /** Commands the counting hooks saw (start, end), to show they really ran. */
  counted(): { starts: number; ends: number } | undefined;
}

function variant(name: string, hooks: Hook[]): HookVariant {
  const counters = hooks.filter((h): h is CountingHook => h instanceof CountingHook);
  return {
    name,
    hooks,
    counted: () =>
      counters.length === 0
        ? undefined
        : {
            starts: counters.reduce((n, h) => n + h.starts, 0),
            ends: counters.reduce((n, h) => n + h.ends, 0),
          },
  };
}

export function hookVariants(): HookVariant[] {
  return [
    variant('no hooks', []),
    variant('empty hook {}', [{}]),
    variant('1 counting hook', [new CountingHook('count-1')]),
    variant('3 counting hooks', [new CountingHook('count-1'), new CountingHook('count-2'), new CountingHook('count-3')]),
  ];
}
