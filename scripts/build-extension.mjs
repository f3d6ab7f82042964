#!/usr/bin/env node
// `npm run build:extension`: the companion extension for a deployment of Nexus, in
// dist/extension/. Chrome lets a page connect to an extension only from the origins in the
// extension's `externally_connectable` list, so the list is written at build time:
//
//   NEXUS_PUBLIC_URL=https://nexus.example.com/ npm run build:extension
//   NEXUS_EXTENSION_ORIGINS="https://a.example.com https://b.example.com" npm run build:extension
//
// Without either, the copy in extension/ is used as it is: it lets 127.0.0.1 and localhost on
// any port connect (`npm start`, the tests). The id stays the one its `key` gives, unless the
// store assigns another: then build the dashboard with VITE_NEXUS_EXTENSION_ID set to it.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

/** `https://host[:port]/*`: a match pattern for the origin of `url`; throws on a URL Chrome refuses. */
export function originPattern(url) {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !['127.0.0.1', 'localhost'].includes(parsed.hostname))
    throw new Error(
      `${url}: a Nexus origin must be https (or loopback), as the dashboard needs a secure context.`,
    );
  // Chrome's match patterns ignore the port: the host is what is matched.
  return `${parsed.protocol}//${parsed.hostname}/*`;
}

function main() {
  const source = join(ROOT, 'extension');
  const out = join(ROOT, 'dist', 'extension');
  const listed = (process.env.NEXUS_EXTENSION_ORIGINS ?? process.env.NEXUS_PUBLIC_URL ?? '')
    .split(/\s+/)
    .filter(Boolean);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(source, out, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8'));
  if (listed.length > 0) {
    manifest.externally_connectable = { matches: [...new Set(listed.map(originPattern))] };
  }
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `dist/extension/: the Nexus bridge extension for ${manifest.externally_connectable.matches.join(', ')}.\n` +
      'Load it at chrome://extensions (Developer mode, Load unpacked).',
  );
}

try {
  main();
} catch (error) {
  console.error(`build:extension: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
