/**
 * `--profile`: where the hub worker spends its time on the hot path. A V8 CPU profile of the hub's
 * SharedWorker (CDP `Profiler` on the shared_worker target) while a page keeps 32 built-in tool
 * calls in flight, its self time summed per ORIGINAL function and per source file through the
 * source map of the chunk `nexus-hub.js` imports (`dist/hub/hub-<hash>.js.map`, which holds the
 * hub's code). The profile itself is written next to latest.json, for DevTools.
 *
 * A separate pass after the measurements: a profiler slows what it watches, so no row of the table
 * is ever taken with it on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; hitCount?: number }>;
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  /** Original function (from the source map) or the category V8 gives: (garbage collector), … */
  name: string;
  /** Original file:line, or the script URL when the frame is not in the hub's bundle. */
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Per function, most self time first. */
  functions: HotSpot[];
  /** Per source file (SDK files, zod, src/hub/…), most self time first. */
  files: Array<{ file: string; selfMs: number; share: number }>;
}

/** Self time (ms) per profile node: each sample charges the time to its next sample. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const times = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const next = deltas[i + 1] ?? 0;
    times.set(samples[i]!, (times.get(samples[i]!) ?? 0) + next / 1000);
  }
  return times;
}

/** Shortens a source path from the map to something a person recognizes. */
function shortSource(source: string): string {
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) return source.slice(modules + 'node_modules/'.length);
  const src = source.indexOf('src/');
  return src >= 0 ? source.slice(src) : source;
}

export async function summarizeProfile(
  profile: CpuProfile,
  bundlePath: string,
  scriptSuffix: string,
): Promise<ProfileSummary> {
  const map = JSON.parse(await readFile(`${bundlePath}.map`, 'utf8')) as RawSourceMap;
  const consumer = new SourceMapConsumer(map);
  const times = selfTimes(profile);
  const byFunction = new Map<string, HotSpot>();
  const byFile = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const selfMs = times.get(node.id) ?? 0;
    if (selfMs === 0) continue;
    totalMs += selfMs;
    const frame = node.callFrame;
    let name = frame.functionName || '(anonymous)';
    let where = frame.url ? path.basename(frame.url) : name;
    let file = frame.url ? path.basename(frame.url) : name;
    if (frame.url.endsWith(scriptSuffix) && frame.lineNumber <= 0 && frame.columnNumber <= 0) {
      // The module's own top level (its evaluation), not a function in it: the source map would
      // name whichever module the bundle happens to start with.
      name = '(module top level)';
    } else if (frame.url.endsWith(scriptSuffix)) {
      const original = consumer.originalPositionFor({
        line: frame.lineNumber + 1,
        column: frame.columnNumber,
      });
      if (original.source) {
        file = shortSource(original.source);
        where = `${file}:${original.line}`;
        if (original.name) name = original.name;
      }
    }
    const key = `${name}@${where}`;
    const spot = byFunction.get(key) ?? { name, where, selfMs: 0, share: 0 };
    spot.selfMs += selfMs;
    byFunction.set(key, spot);
    byFile.set(file, (byFile.get(file) ?? 0) + selfMs);
  }
  const functions = [...byFunction.values()]
    .map((spot) => ({ ...spot, share: spot.selfMs / totalMs }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const files = [...byFile.entries()]
    .map(([file, selfMs]) => ({ file, selfMs, share: selfMs / totalMs }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, functions, files };
}

export function formatProfile(summary: ProfileSummary, top = 15): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const lines = [
    `${summary.totalMs.toFixed(0)} ms of samples.`,
    '',
    `| self time | share | function | where |`,
    `| ---: | ---: | --- | --- |`,
    ...summary.functions
      .slice(0, top)
      .map(
        (spot) =>
          `| ${spot.selfMs.toFixed(1)} ms | ${pct(spot.share)} | ${spot.name} | ${spot.where} |`,
      ),
    '',
    `| self time | share | source file |`,
    `| ---: | ---: | --- |`,
    ...summary.files
      .slice(0, top)
      .map((file) => `| ${file.selfMs.toFixed(1)} ms | ${pct(file.share)} | ${file.file} |`),
  ];
  return lines.join('\n');
}
