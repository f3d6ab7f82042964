/**
 * The hub end of the bridge relay: the document that holds the relay lock opened a hub port with
 * the `bridge` role and passes frames between it and the companion extension (see
 * src/client/bridge-relay.ts). The hub's link reads each frame as untrusted (src/hub/upstream/
 * bridge/frames.ts); when the document is gone (its session lock is granted to us), the link
 * lets the relay go and the next document to take the relay lock attaches a new one.
 */
import type { Hub } from '../hub/hub.ts';
import type { HubToBridge } from '../protocol/bridge.ts';
import { watchDeparture, welcome } from './ports.ts';

export function acceptRelay(
  hub: Hub,
  port: MessagePort,
  hello: { sessionId: string; lock: string },
  mode: 'shared' | 'dedicated',
): void {
  const link = hub.bridge.attach({
    send: (frame: HubToBridge) => port.postMessage(frame),
    close: () => port.close(),
  });
  port.addEventListener('message', (event: MessageEvent) => link.receive(event.data));
  port.addEventListener('messageerror', () =>
    link.receive('a frame the browser could not deserialize'),
  );
  welcome(port, hello.sessionId, mode);
  watchDeparture(hello.lock, () => link.gone());
}
