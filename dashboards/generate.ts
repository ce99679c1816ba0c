/**
 * `npm run dashboards`: writes the dashboards' JSON and the alert rules from their typed sources
 * in dashboards/src. `--check` writes nothing and exits 1 when a committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './src/outputs.js';

const HELP = `Usage: npm run dashboards [-- --check]

Generates dashboards/redis-maintenance.json, dashboards/redis-client.json and grafana/alerts.yml
from the typed sources in dashboards/src.

  --check   write nothing; exit 1 if a committed file differs from what the sources generate
  --help    this text
`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check' && a !== '--help');
if (args.includes('--help') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`unknown option: ${unknown.join(' ')}`);
  console.log(HELP);
  process.exit(unknown.length > 0 ? 2 : 0);
}
const check = args.includes('--check');
let stale = 0;
for (const file of generatedFiles()) {
  const path = join(root, file.path);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === file.content) {
    console.log(`up to date  ${file.path}`);
  } else if (check) {
    stale += 1;
    console.log(`stale       ${file.path} (run \`npm run dashboards\`)`);
  } else {
    writeFileSync(path, file.content);
    console.log(`written     ${file.path}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
