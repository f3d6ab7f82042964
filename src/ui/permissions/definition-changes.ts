/**
 * What changed in a tool's definition, in the terms a person judges it by (UI.md §4): its
 * parameters one by one (+ added, − removed, ~ changed), and callouts for the changes that
 * matter most for safety — a new required parameter, a flipped `destructiveHint` or
 * `readOnlyHint`, instruction-like text, and URLs or file paths that appeared in its text.
 * The definitions arrive as pretty JSON from the hub (a server's own words: untrusted); text that
 * does not parse gives no rows and no callouts, and the line diff beside it still shows it.
 */

export interface ParameterChange {
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** Whether the new definition requires it (absent when removed). */
  required?: boolean;
}

export interface Callout {
  kind: 'new-required' | 'hint-flipped' | 'instructions' | 'urls' | 'paths';
  text: string;
}

/** Phrases a description uses to steer the model rather than describe the tool. */
const INSTRUCTIONS =
  /\b(ignore (all |any )?(previous|prior|other)|you must|always (call|use|run|include)|do not (tell|mention|inform)|before (calling|using) (any|other)|system prompt|<\/?(important|instructions?|system)>)/i;
const URL = /\bhttps?:\/\/[^\s"'<>)]+/gi;
const PATH =
  /(~\/[^\s"'<>]+|\/(etc|home|Users|root|var|tmp)\/[^\s"'<>]*|\.(ssh|aws|env|npmrc|gnupg)\b[^\s"'<>]*|[A-Za-z]:\\[^\s"'<>]+)/g;
const MAX_PARAMETERS = 500;

type Definition = Record<string, unknown>;

function parse(text: string): Definition | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Definition)
      : undefined;
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function requiredOf(definition: Definition): Set<string> {
  const required = record(definition.inputSchema).required;
  return new Set(Array.isArray(required) ? required.filter((r) => typeof r === 'string') : []);
}

/** Every string in a definition (description, titles, schema descriptions), for the callouts. */
function texts(value: unknown, out: string[] = [], budget = { left: 10_000 }): string[] {
  if (budget.left-- <= 0) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) texts(item, out, budget);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      texts(item, out, budget);
    }
  return out;
}

function found(pattern: RegExp, strings: string[]): Set<string> {
  const all = new Set<string>();
  for (const text of strings) for (const match of text.matchAll(pattern)) all.add(match[0]);
  return all;
}

function stable(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

export function parameterChanges(before: string, after: string): ParameterChange[] {
  const old = parse(before);
  const now = parse(after);
  if (!old || !now) return [];
  const was = record(record(old.inputSchema).properties);
  const is = record(record(now.inputSchema).properties);
  const required = requiredOf(now);
  const changes: ParameterChange[] = [];
  const names = [...new Set([...Object.keys(was), ...Object.keys(is)])].slice(0, MAX_PARAMETERS);
  for (const name of names) {
    const inOld = Object.hasOwn(was, name);
    const inNew = Object.hasOwn(is, name);
    if (inOld && !inNew) changes.push({ name, change: 'removed' });
    else if (!inOld && inNew) changes.push({ name, change: 'added', required: required.has(name) });
    else if (
      stable(was[name]) !== stable(is[name]) ||
      requiredOf(old).has(name) !== required.has(name)
    )
      changes.push({ name, change: 'changed', required: required.has(name) });
  }
  return changes;
}

export function callouts(before: string, after: string): Callout[] {
  const old = parse(before);
  const now = parse(after);
  if (!old || !now) return [];
  const out: Callout[] = [];
  const wasRequired = requiredOf(old);
  const newlyRequired = [...requiredOf(now)].filter((name) => !wasRequired.has(name));
  if (newlyRequired.length > 0)
    out.push({
      kind: 'new-required',
      text: `New required parameter${newlyRequired.length === 1 ? '' : 's'}: ${newlyRequired.join(', ')}`,
    });
  for (const hint of ['destructiveHint', 'readOnlyHint'] as const) {
    const a = record(old.annotations)[hint] === true;
    const b = record(now.annotations)[hint] === true;
    if (a !== b)
      out.push({
        kind: 'hint-flipped',
        text: `${hint} ${a ? 'true' : 'false'} → ${b ? 'true' : 'false'}`,
      });
  }
  const oldTexts = texts(old);
  const newTexts = texts(now);
  if (
    !oldTexts.some((text) => INSTRUCTIONS.test(text)) &&
    newTexts.some((text) => INSTRUCTIONS.test(text))
  )
    out.push({ kind: 'instructions', text: 'Its text now gives the model instructions' });
  for (const [kind, pattern, words] of [
    ['urls', URL, 'New URLs'],
    ['paths', PATH, 'New file paths'],
  ] as const) {
    const seen = found(pattern, oldTexts);
    const added = [...found(pattern, newTexts)].filter((item) => !seen.has(item));
    if (added.length > 0)
      out.push({
        kind,
        text: `${words} in its text: ${added.slice(0, 5).join(', ')}${added.length > 5 ? ', …' : ''}`,
      });
  }
  return out;
}
