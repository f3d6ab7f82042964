/**
 * The terminal line that puts a local server into nexus-bridge's allowlist, from what an imported
 * `mcpServers` entry said. The browser never runs a command: the person pastes this line, and the
 * bridge runs only what its own allowlist holds.
 */
import type { StdioServerEntry } from '../../ports.ts';
import { bridgeName } from '../connectors/bridge.ts';

/** Characters a POSIX shell reads as themselves in a word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for a POSIX shell: as it is when plain, else in single quotes. */
export function shellWord(word: string): string {
  if (PLAIN.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `nexus-bridge add NAME [--env K=V …] -- COMMAND ARGS…`. A secret environment value (an API
 * key) is never written out: it appears as `<your KEY>` for the person to fill in.
 */
export function addLine(entry: StdioServerEntry): string {
  const env = entry.env.flatMap(({ name, value, secret }) => [
    '--env',
    shellWord(`${name}=${secret ? `<your ${name}>` : value}`),
  ]);
  return [
    'nexus-bridge',
    'add',
    bridgeName(entry),
    ...env,
    '--',
    ...[entry.command, ...entry.args].map(shellWord),
  ].join(' ');
}
