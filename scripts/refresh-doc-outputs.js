#!/usr/bin/env node
// Reruns every command shown in a Markdown file's fenced blocks that start with `$ ars ...` and puts its
// current output under it, so documented output is what the code prints. Usage (after npm run build):
//   node scripts/refresh-doc-outputs.js docs/examples.md [more.md ...]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  let count = 0;
  const out = text.replace(/```\n\$ ars ([^\n]*)\n[\s\S]*?```/g, (_block, args) => {
    const argv = args.trim().split(/\s+/);
    process.stderr.write(`${file}: ars ${args}\n`);
    const printed = execFileSync(process.execPath, [cli, ...argv], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    count++;
    return `\`\`\`\n$ ars ${args}\n${printed.trimEnd()}\n\`\`\``;
  });
  writeFileSync(file, out);
  process.stderr.write(`${file}: ${count} outputs refreshed\n`);
}
