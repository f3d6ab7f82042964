/**
 * The hub worker with the allow-all test double instead of the person's consent policy, built
 * and served by the benchmark only (bench/app-server.ts, `/bench/allow-all-hub.js`): rows 2a–2d
 * run through it beside the real hub, in the same run, to measure what consent costs per call.
 * Never shipped: a hub that asks nobody is not a product.
 */
/// <reference lib="webworker" />
import { allowAllPolicy } from '../../src/hub/policy/allow-all.ts';
import { serveHub } from '../../src/worker/serve.ts';

serveHub({ policy: () => allowAllPolicy });
