/** State of the import/export panel. */
import type { ImportSummary } from '../../protocol/admin-api.ts';
import { downloadText } from '../app/download.ts';
import type { HubState } from './hub.svelte.ts';

export type ExportFormat = 'mcpServers' | 'vscode';

const EXPORT_FILE: Record<ExportFormat, string> = {
  mcpServers: 'nexus-mcp-servers.json',
  vscode: 'mcp.json',
};

export class ImportExportState {
  /** The pasted config. */
  text = $state('');
  busy = $state.raw(false);
  /** What the last successful import added. */
  summary = $state.raw<ImportSummary | undefined>(undefined);

  readonly #hub: HubState;

  constructor(hub: HubState) {
    this.#hub = hub;
  }

  /** The import or export error, when the last failed action was one of this panel's. */
  get error(): string | undefined {
    const action = this.#hub.lastErrorAction;
    return action === 'import' || action === 'export' ? this.#hub.lastError : undefined;
  }

  /** Imports the pasted text. */
  async importText(): Promise<void> {
    if (this.text.trim() === '') {
      this.#hub.lastError = 'Paste a config (a JSON file with "mcpServers" or "servers") first.';
      this.#hub.lastErrorAction = 'import';
      return;
    }
    if (await this.#import(this.text)) this.text = '';
  }

  /** Imports a chosen file. */
  async importFile(file: File): Promise<void> {
    let text: string;
    try {
      text = await file.text();
    } catch {
      this.#hub.lastError = `The file '${file.name}' could not be read. Choose it again, or paste its text.`;
      this.#hub.lastErrorAction = 'import';
      return;
    }
    await this.#import(text);
  }

  async #import(text: string): Promise<boolean> {
    this.busy = true;
    this.summary = undefined;
    try {
      const summary = await this.#hub.importConfig(text);
      this.summary = summary;
      return summary !== undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Downloads the registry. Call from a click handler: the download needs the user gesture. */
  async exportAs(format: ExportFormat): Promise<void> {
    const text = await this.#hub.exportConfig(format);
    if (text !== undefined) downloadText(EXPORT_FILE[format], text);
  }
}
