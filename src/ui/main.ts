/** The dashboard's entry: one HubState for the page, mounted into #app. */
import { mount } from 'svelte';
import App from './App.svelte';
import { HubState } from './hub.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no <div id="app"> to mount the Nexus dashboard into.');

const hub = new HubState();
mount(App, { target, props: { hub } });
void hub.connect();
