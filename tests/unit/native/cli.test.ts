/**
 * `nexus-bridge` as a person runs it from a terminal, and as a browser runs it through the
 * launcher that `install` writes: a real subprocess, with its config in a temp dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSION_ID } from '../../../src/protocol/bridge.ts';
import { FrameReader } from '../../../native/framing.js';
import { alive, FIXTURES, nativeMessage, removeTempDirs, tempDir, waitGone } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../../native/bin/nexus-bridge.js', import.meta.url));
const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';

afterEach(removeTempDirs);

function run(config: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, NEXUS_BRIDGE_CONFIG: config },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('nexus-bridge CLI', () => {
  it('adds, lists and removes servers, showing env keys but never values', () => {
    const config = tempDir();
    const added = run(
      config,
      'add',
      'github',
      '--env',
      'API_KEY=sk-secret',
      '--',
      'npx',
      '-y',
      'gh mcp',
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain(`added 'github' to ${join(config, 'allowlist.json')}`);
    expect(added.stdout).toContain("npx -y 'gh mcp' with env API_KEY");
    expect(added.stdout).not.toContain('sk-secret');

    const listed = run(config, 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("github   npx -y 'gh mcp'   env: API_KEY");
    expect(listed.stdout).not.toContain('sk-secret');

    const replaced = run(config, 'add', 'github', '--', 'gh-mcp');
    expect(replaced.stdout).toContain("replaced 'github'");
    expect(replaced.stdout).toContain("(it ran npx -y 'gh mcp')");

    expect(run(config, 'remove', 'github')).toMatchObject({ code: 0 });
    expect(run(config, 'list').stdout).not.toContain('github');
    const again = run(config, 'remove', 'github');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no server named 'github'");
  });

  it('exits 2 with one line on a usage mistake', () => {
    const config = tempDir();
    for (const args of [
      ['add', 'github', 'npx'],
      ['add', 'GitHub', '--', 'npx'],
      ['add', 'x', '--env', 'NOEQUALS', '--', 'npx'],
      ['frobnicate'],
      ['install', '--extension-id', 'not-an-id'],
      ['doctor', '--verbose'],
    ]) {
      const result = run(config, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^nexus-bridge: /);
    }
    expect(run(config, '--help')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('usage:'),
    });
    expect(run(config)).toMatchObject({ code: 0, stdout: expect.stringContaining('usage:') });
  });

  it('exits 1 and leaves the file alone when the allowlist does not parse', () => {
    const config = tempDir();
    run(config, 'add', 'a', '--', 'x');
    const path = join(config, 'allowlist.json');
    spawnSync(process.execPath, [
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(path)}, '{ oops')`,
    ]);
    const result = run(config, 'add', 'b', '--', 'y');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path} is not valid JSON`);
    expect(readFileSync(path, 'utf8')).toBe('{ oops');
  });

  it('installs a manifest and an executable launcher; doctor fails before and passes after', () => {
    const config = tempDir();
    const userData = tempDir();
    run(config, 'add', 'echo', '--', process.execPath, join(FIXTURES, 'echo-server.mjs'));

    // The same profile and extension for every command of this test.
    const inProfile = (command: string) =>
      run(config, command, '--user-data-dir', userData, '--extension-id', EXTENSION_ID);
    const before = inProfile('doctor');
    expect(before.code).toBe(1);
    const manifestPath = join(userData, 'NativeMessagingHosts', 'dev.nexus.bridge.json');
    expect(before.stdout).toContain(`✗ chrome: no host manifest at ${manifestPath}`);
    expect(before.stdout).toContain(`nexus-bridge install --user-data-dir`);

    const installed = inProfile('install');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(manifestPath);

    const launcher = join(config, 'nexus-bridge-host');
    expect(JSON.parse(readFileSync(manifestPath, 'utf8'))).toEqual({
      name: 'dev.nexus.bridge',
      description: expect.any(String),
      path: launcher,
      type: 'stdio',
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
    });
    expect(() => accessSync(launcher, constants.X_OK)).not.toThrow();
    expect(statSync(launcher).mode & 0o777).toBe(0o755);
    const script = readFileSync(launcher, 'utf8');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(`'${process.execPath}' '${realpathSync(BIN)}' host "$@"`);
    // The host reads the allowlist it was installed with, whatever the browser's environment.
    expect(script).toContain(`NEXUS_BRIDGE_CONFIG='${config}' exec`);

    const after = inProfile('doctor');
    expect(after.stdout).not.toContain('✗');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`✓ chrome: host manifest ${manifestPath}`);

    // The manifest allows another extension than the one doctor is asked about.
    const other = run(config, 'doctor', '--user-data-dir', userData);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(
      `does not allow the extension chrome-extension://${DEFAULT_EXTENSION_ID}/`,
    );
  });

  it('doctor fails on an allowlisted command that is nowhere', () => {
    const config = tempDir();
    const userData = tempDir();
    run(config, 'install', '--user-data-dir', userData);
    run(config, 'add', 'gone', '--', 'nexus-bridge-test-no-such-command');
    const result = run(config, 'doctor', '--user-data-dir', userData);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ gone: nexus-bridge-test-no-such-command was not found on PATH',
    );
  });

  it('serves the browser through the installed launcher, as Chrome starts it', async () => {
    const host = launch();
    try {
      host.send({ type: 'hello', wire: 1, hub: 'test' });
      expect(await host.next('welcome')).toMatchObject({
        servers: [expect.objectContaining({ name: 'echo' })],
      });
      host.send({ type: 'start', channel: 'c', name: 'echo' });
      const { pid } = (await host.next('started')) as { pid: number };
      host.send({ type: 'send', channel: 'c', message: { id: 1 } });
      expect(await host.next('message')).toMatchObject({ message: { id: 1 } });

      // The browser closes the port: the host ends its server and exits.
      host.process.stdin.end();
      expect(await host.exited).toBe(0);
      await waitGone(pid);
      expect(host.stderr.join('')).toContain('[nexus-bridge] hub test connected');
    } finally {
      host.kill();
    }
  });

  it('ends its servers and exits on SIGTERM', async () => {
    const host = launch();
    try {
      host.send({ type: 'start', channel: 'c', name: 'echo' });
      const { pid } = (await host.next('started')) as { pid: number };
      host.process.kill('SIGTERM');
      expect(await host.exited).toBe(0);
      await waitGone(pid);
    } finally {
      host.kill();
    }
  });
});

/**
 * Installs into temp dirs with an allowlisted echo server, and runs the manifest's `path` as
 * Chrome does: with the caller's origin as its argument, stdin and stdout as the port.
 */
function launch() {
  const config = tempDir();
  const userData = tempDir();
  run(config, 'add', 'echo', '--', process.execPath, join(FIXTURES, 'echo-server.mjs'));
  run(config, 'install', '--user-data-dir', userData, '--extension-id', EXTENSION_ID);
  const manifest = JSON.parse(
    readFileSync(join(userData, 'NativeMessagingHosts', 'dev.nexus.bridge.json'), 'utf8'),
  );
  const child = spawn(manifest.path, [`chrome-extension://${EXTENSION_ID}/`], {
    env: { ...process.env, NEXUS_BRIDGE_CONFIG: config },
  });
  const stderr: string[] = [];
  child.stderr.on('data', (data: Buffer) => stderr.push(data.toString()));
  const reader = new FrameReader();
  const frames: Array<Record<string, unknown>> = [];
  const waiting: Array<() => void> = [];
  child.stdout.on('data', (data: Buffer) => {
    for (const result of reader.push(data)) {
      // Anything on stdout that is not a frame would show up here as a bad frame.
      expect(result.ok).toBe(true);
      if (result.ok) frames.push(result.frame);
    }
    for (const wake of waiting.splice(0)) wake();
  });
  return {
    process: child,
    stderr,
    exited: new Promise((resolve) => child.on('exit', resolve)),
    send: (frame: Record<string, unknown>) =>
      child.stdin.write(nativeMessage(JSON.stringify(frame))),
    async next(type: string) {
      for (;;) {
        const found = frames.find((frame) => frame.type === type);
        if (found) return found;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
    kill() {
      if (child.pid && alive(child.pid)) child.kill('SIGKILL');
    },
  };
}
