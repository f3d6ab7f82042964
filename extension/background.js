// The Nexus bridge extension: relays between a Nexus page and nexus-bridge, unread. Chrome lets
// only the origins in the manifest's `externally_connectable` connect (set at build time); one
// native port per page port, so closing the page (or the browser) closes the native port, and
// nexus-bridge then ends every local server it started for it. An open native port also keeps
// this service worker alive (Chrome 105+).
const HOST = 'dev.nexus.bridge'; // BRIDGE_HOST_NAME in src/protocol/bridge.ts

chrome.runtime.onConnectExternal.addListener((page) => {
  page.postMessage({ type: 'extension', version: chrome.runtime.getManifest().version });
  let host;
  try {
    host = chrome.runtime.connectNative(HOST);
  } catch (error) {
    page.postMessage({ type: 'host-gone', error: String(error) });
    page.disconnect();
    return;
  }
  let open = true;
  host.onMessage.addListener((message) => {
    if (open) page.postMessage(message);
  });
  host.onDisconnect.addListener(() => {
    if (!open) return;
    open = false;
    // "Specified native messaging host not found." when nexus-bridge is not installed.
    const error = chrome.runtime.lastError?.message ?? 'nexus-bridge exited';
    page.postMessage({ type: 'host-gone', error });
    page.disconnect();
  });
  page.onMessage.addListener((message) => {
    if (open) host.postMessage(message);
  });
  page.onDisconnect.addListener(() => {
    open = false;
    host.disconnect();
  });
});
