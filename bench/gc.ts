/**
 * A full garbage collection on demand, without `--expose-gc` on the command line: the hooks
 * section collects before every measurement, so that no variant pays for the garbage the one
 * before it left (span objects, event records) and none gains from running after an idle pause
 * (while node-redis runs in its own processes, V8 collects in idle time).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export function collectGarbage(): void {
  gc();
}
