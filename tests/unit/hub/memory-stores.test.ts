/**
 * The store contracts against the in-memory stores. The same cases run against IndexedDB in
 * Chromium (tests/browser/store.spec.ts), which keeps the two implementations honest to each other.
 */
import { describe, it } from 'vitest';
import {
  MemoryGrantStore,
  MemoryJournalStore,
  MemoryNotesStore,
  MemoryPinStore,
  MemoryRegistryStore,
  MemoryTokenStore,
} from '../../../src/hub/memory-stores.ts';
import { grantStoreCases } from '../../contract/grant-store.contract.ts';
import { pinStoreCases } from '../../contract/pin-store.contract.ts';
import { tokenStoreCases } from '../../contract/token-store.contract.ts';
import { journalStoreCases } from '../../contract/journal-store.contract.ts';
import { notesStoreCases } from '../../contract/notes-store.contract.ts';
import { registryStoreCases } from '../../contract/registry-store.contract.ts';

describe('MemoryRegistryStore meets the RegistryStore contract', () => {
  for (const c of registryStoreCases) {
    it(c.name, () => c.run(async () => new MemoryRegistryStore()));
  }
});

describe('MemoryNotesStore meets the NotesStore contract', () => {
  for (const c of notesStoreCases) {
    it(c.name, () => c.run(async () => new MemoryNotesStore()));
  }
});

describe('MemoryJournalStore meets the JournalStore contract', () => {
  for (const c of journalStoreCases) {
    it(c.name, () => c.run(async () => new MemoryJournalStore()));
  }
});

describe('MemoryGrantStore meets the GrantStore contract', () => {
  for (const c of grantStoreCases) {
    it(c.name, () => c.run(async () => new MemoryGrantStore()));
  }
});

describe('MemoryTokenStore meets the TokenStore contract', () => {
  for (const c of tokenStoreCases) {
    it(c.name, () => c.run(async () => new MemoryTokenStore()));
  }
});

describe('MemoryPinStore meets the PinStore contract', () => {
  for (const c of pinStoreCases) {
    it(c.name, () => c.run(async () => new MemoryPinStore()));
  }
});
