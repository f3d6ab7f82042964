#!/usr/bin/env node
// @ts-check
// nexus-bridge's entry point, as an npm bin and from the repository (`node native/bin/nexus-bridge.js`).
// Everything is in ../cli.js so tests can call it without a subprocess.
import { main } from '../cli.js';

process.exitCode = await main(process.argv.slice(2));
