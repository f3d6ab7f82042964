/// <reference types="vite/client" />
/** The dashboard's entry: one HubState for the page, mounted into #app, and the update notice. */
import { mount } from 'svelte';
import { relayBridge } from '../../client/bridge-relay.ts';
import App from './App.svelte';
import { AppUpdate } from '../state/app-update.svelte.ts';
import { HubState } from '../state/hub.svelte.ts';
import { pageTheme } from '../state/theme.svelte.ts';
import UpdatePrompt from './UpdatePrompt.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no <div id="app"> to mount the Nexus dashboard into.');

const hub = new HubState();
mount(App, { target, props: { hub, theme: pageTheme() } });

// The service worker exists in builds only (vite-plugin-pwa, see vite.config.ts).
const update = new AppUpdate({
  scriptUrl: import.meta.env.PROD ? `${import.meta.env.BASE_URL}sw.js` : undefined,
});
mount(UpdatePrompt, { target: document.body, props: { update } });
// The service worker is registered, and a new version offered, once the hub has answered (or
// given up: `connect` always settles). The hub worker loads the dashboard's part of itself when
// this page connects; a Reload pressed while that chunk was still loading left Chromium's new
// service worker waiting for good (tests/e2e/pwa.spec.ts failed that way in 3 of 19 runs).
void hub.connect().then(() => {
  update.start();
  // This tab may relay between the hub and nexus-bridge (one Nexus tab at a time does).
  relayBridge({ clientName: 'dashboard', ...builtExtensionId() });
});

/** The companion extension's id a build was made for (`NEXUS_EXTENSION_ID`), else the default. */
function builtExtensionId(): { extensionId?: string } {
  const id = import.meta.env.VITE_NEXUS_EXTENSION_ID as string | undefined;
  return id ? { extensionId: id } : {};
}
