/**
 * The benchmark measures hitless as users run it: compiled by tsc (tsconfig.build.json), not
 * transpiled on the fly by tsx, whose helpers (`__name` on every closure) cost time on hot paths
 * the shipped code does not pay. Output goes to node_modules/.cache, away from the repository's dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export type HitlessModule = typeof import('../src/index.js');
export type InstrumentationModule = typeof import('../instrumentation/index.js');

/** Compiles src/ and instrumentation/ with tsc into a cache folder and imports them; `source` imports the TypeScript through tsx instead. */
export async function loadHitless(source: boolean): Promise<{ module: HitlessModule; instrumentation: InstrumentationModule; from: string }> {
  if (source) return { module: await import('../src/index.js'), instrumentation: await import('../instrumentation/index.js'), from: 'src/ (TypeScript through tsx)' };
  const outDir = compileHitless();
  return {
    module: (await import(pathToFileURL(`${outDir}/src/index.js`).href)) as HitlessModule,
    instrumentation: (await import(pathToFileURL(`${outDir}/instrumentation/index.js`).href)) as InstrumentationModule,
    from: 'src/ compiled by tsc (tsconfig.build.json)',
  };
}

/**
 * Runs tsc (tsconfig.build.json, or `project`, a path from the repository's root) into
 * node_modules/.cache/`folder`; returns that folder's path.
 */
export function compileHitless(folder = 'hitless-bench', project = 'tsconfig.build.json'): string {
  const outDir = `${root}node_modules/.cache/${folder}`;
  rmSync(outDir, { recursive: true, force: true });
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  const run = spawnSync(
    process.execPath,
    [tsc, '-p', `${root}${project}`, '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false', '--skipLibCheck'],
    { encoding: 'utf8' },
  );
  const entry = `${outDir}/src/index.js`;
  if (!existsSync(entry)) throw new Error(`tsc produced no ${entry}:\n${run.stdout}${run.stderr}`);
  // tsc still emits when the tree has type errors (someone mid-edit); say so, but measure what was emitted.
  if (run.status !== 0) console.warn(`[bench] warning: tsc reported errors; measuring the emitted JavaScript anyway:\n${run.stdout}`);
  return outDir;
}
