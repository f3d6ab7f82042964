/**
 * The next animation frame, so the work after it is its own task, after a paint: a long piece of
 * work split at frames never blocks the page for the sum of its parts. Without a DOM (tests,
 * rendering on the server) there is no frame to wait for. A hidden tab gets no frames: what waits
 * for one runs when the tab shows again.
 */
export function nextFrame(): Promise<void> {
  const frame = globalThis.requestAnimationFrame;
  return frame ? new Promise((resolve) => frame(() => resolve())) : Promise.resolve();
}
