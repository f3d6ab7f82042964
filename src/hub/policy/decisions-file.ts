/**
 * The person's decisions as a file (export and import on the Permissions page), and the checks
 * every value from outside the policy passes: a settings object from the dashboard, a grant, an
 * imported file. Nothing in them is secret (no tokens, no header values), so the file is plain.
 * A malformed file is refused whole, naming the first problem; nothing is half imported.
 */
import {
  DEFAULT_CONSENT_SETTINGS,
  type ClientDecision,
  type ClientRecord,
  type ConsentSettings,
  type Grant,
  type GrantTarget,
  type Permission,
} from '../../protocol/consent.ts';
import type { GrantSnapshot } from '../ports.ts';

export const DECISIONS_FORMAT = 'nexus-decisions/1';

const PERMISSIONS: readonly Permission[] = ['allow', 'ask', 'deny'];
const TARGETS: readonly GrantTarget[] = ['tool', 'prompt', 'resource'];
/** Longest string accepted in a decision (names, URIs, origins, labels). */
const MAX_TEXT = 2_048;

export class DecisionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionsError';
  }
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DecisionsError(`${where} must be an object.`);
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT)
    throw new DecisionsError(`${where} must be a string of at most ${MAX_TEXT} characters.`);
  return value;
}

function permission(value: unknown, where: string): Permission {
  if (!(PERMISSIONS as readonly unknown[]).includes(value))
    throw new DecisionsError(`${where} must be one of ${PERMISSIONS.join(', ')}.`);
  return value as Permission;
}

function time(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new DecisionsError(`${where} must be a time (milliseconds since 1970).`);
  return value;
}

/** Settings from outside: every field checked; a missing one takes its default. */
export function readSettings(value: unknown): ConsentSettings {
  const given = record(value, 'The settings');
  const tools = record(given.tools ?? {}, 'settings.tools');
  const audit = record(given.audit ?? {}, 'settings.audit');
  const d = DEFAULT_CONSENT_SETTINGS;
  const count = (field: 'keepDays' | 'keepCount', max: number): number => {
    const got = audit[field] ?? d.audit[field];
    if (typeof got !== 'number' || !Number.isInteger(got) || got < 1 || got > max)
      throw new DecisionsError(`settings.audit.${field} must be a whole number from 1 to ${max}.`);
    return got;
  };
  if (audit.storeArguments !== undefined && typeof audit.storeArguments !== 'boolean')
    throw new DecisionsError('settings.audit.storeArguments must be true or false.');
  return {
    newClients: permission(given.newClients ?? d.newClients, 'settings.newClients'),
    tools: {
      'read-only': permission(
        tools['read-only'] ?? d.tools['read-only'],
        'settings.tools.read-only',
      ),
      destructive: permission(
        tools.destructive ?? d.tools.destructive,
        'settings.tools.destructive',
      ),
      'open-world': permission(
        tools['open-world'] ?? d.tools['open-world'],
        'settings.tools.open-world',
      ),
      other: permission(tools.other ?? d.tools.other, 'settings.tools.other'),
    },
    prompts: permission(given.prompts ?? d.prompts, 'settings.prompts'),
    resources: permission(given.resources ?? d.resources, 'settings.resources'),
    audit: {
      storeArguments: (audit.storeArguments as boolean | undefined) ?? d.audit.storeArguments,
      keepDays: count('keepDays', 3650),
      keepCount: count('keepCount', 1_000_000),
    },
  };
}

export function readClientId(value: unknown, where = 'The client') {
  const given = record(value, where);
  return {
    origin: text(given.origin, `${where}.origin`),
    clientName: text(given.clientName, `${where}.clientName`),
  };
}

/** A grant from outside (without `grantedAt` when it comes from the dashboard). */
export function readGrant(value: unknown, where = 'The grant'): Omit<Grant, 'grantedAt'> {
  const given = record(value, where);
  if (!(TARGETS as readonly unknown[]).includes(given.target))
    throw new DecisionsError(`${where}.target must be one of ${TARGETS.join(', ')}.`);
  return {
    ...(given.client !== undefined
      ? { client: readClientId(given.client, `${where}.client`) }
      : {}),
    serverId: text(given.serverId, `${where}.serverId`),
    target: given.target as GrantTarget,
    name: text(given.name, `${where}.name`),
    permission: permission(given.permission, `${where}.permission`),
    ...(given.expiresAt !== undefined
      ? { expiresAt: time(given.expiresAt, `${where}.expiresAt`) }
      : {}),
  };
}

/** A decision about a client from outside: its state, the servers it may see, its label. */
export function readClientDecision(value: unknown, where = 'The decision'): ClientDecision {
  const given = record(value, where);
  if (given.state !== 'approved' && given.state !== 'denied')
    throw new DecisionsError(`${where}.state must be approved or denied.`);
  const servers = given.servers;
  if (
    servers !== undefined &&
    (!Array.isArray(servers) || servers.some((id) => typeof id !== 'string'))
  )
    throw new DecisionsError(`${where}.servers must be a list of server ids.`);
  return {
    state: given.state,
    ...(servers ? { servers: [...(servers as string[])] } : {}),
    ...(given.label !== undefined ? { label: text(given.label, `${where}.label`) } : {}),
  };
}

function readClient(value: unknown, where: string): ClientRecord {
  const given = record(value, where);
  return {
    ...readClientId(given, where),
    ...readClientDecision(given, where),
    decidedAt: time(given.decidedAt, `${where}.decidedAt`),
  };
}

/** The decisions as the file the Permissions page downloads. */
export function writeDecisions(snapshot: GrantSnapshot): string {
  return JSON.stringify({ format: DECISIONS_FORMAT, ...snapshot }, null, 2);
}

/** A decisions file, checked whole: throws `DecisionsError` naming the first problem. */
export function readDecisions(textOfFile: string): GrantSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(textOfFile);
  } catch (error) {
    throw new DecisionsError(`This is not a JSON file (${(error as Error).message}).`);
  }
  const file = record(parsed, 'The file');
  if (file.format !== DECISIONS_FORMAT)
    throw new DecisionsError(`This is not a Nexus decisions file (format "${DECISIONS_FORMAT}").`);
  const list = (field: string): unknown[] => {
    const value = file[field] ?? [];
    if (!Array.isArray(value)) throw new DecisionsError(`"${field}" must be a list.`);
    return value;
  };
  return {
    clients: list('clients').map((item, i) => readClient(item, `clients[${i}]`)),
    grants: list('grants').map((item, i) => ({
      ...readGrant(item, `grants[${i}]`),
      grantedAt: time(record(item, `grants[${i}]`).grantedAt, `grants[${i}].grantedAt`),
    })),
    ...(file.settings !== undefined ? { settings: readSettings(file.settings) } : {}),
  };
}
