import type { LoggingLevel } from '@modelcontextprotocol/client';

/** RFC 5424 severities in MCP's order, least severe first. */
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

export function severity(level: LoggingLevel): number {
  return LEVELS.indexOf(level);
}

/** Whether a message at `level` passes a `threshold` (no threshold: everything passes). */
export function admits(threshold: LoggingLevel | undefined, level: LoggingLevel): boolean {
  return threshold === undefined || severity(level) >= severity(threshold);
}

/** The more verbose of two wishes; undefined is no wish. */
export function moreVerbose(
  a: LoggingLevel | undefined,
  b: LoggingLevel | undefined,
): LoggingLevel | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return severity(a) <= severity(b) ? a : b;
}
