/**
 * The person's settings for runs that are not about consent (most end-to-end tests, the
 * benchmark): every new client approved, every tool, prompt and resource allowed without asking.
 * Set through the admin API (tests/e2e/support.ts) or written before the hub starts (the bench).
 */
import { DEFAULT_CONSENT_SETTINGS, type ConsentSettings } from '../../src/protocol/consent.ts';

export const ALLOW_EVERYTHING: ConsentSettings = {
  ...DEFAULT_CONSENT_SETTINGS,
  newClients: 'allow',
  tools: { 'read-only': 'allow', destructive: 'allow', 'open-world': 'allow', other: 'allow' },
  prompts: 'allow',
  resources: 'allow',
};
