#!/usr/bin/env node
// Entry shim in plain JavaScript so an old Node fails with a clear message instead of a syntax error.
// Frontline runs its TypeScript directly on Node 22 (type stripping).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `frontline needs Node.js 22.12 or newer; this is ${process.version}.\n` +
      'Run it through npm (`npm run frontline -- <command>`, `npm run demo`), which uses the Node 22 installed\n' +
      'in node_modules by `npm ci`, or install Node 22 LTS (`nvm use` reads .nvmrc).\n',
  );
  process.exit(1);
}
const { main } = await import('./main.ts');
await main(process.argv);
