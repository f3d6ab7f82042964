// Preloaded (`node --import`) into servers that cannot be told which interface to bind, such as
// server-everything, whose `app.listen(PORT)` binds every interface. A test or demo server
// reachable from the network would hand strangers its tools (server-everything even has
// `get-env`, which prints its whole environment), so listening without a host is pinned to
// 127.0.0.1 here.
//
// With NEXUS_PARENT_PID set, the process also exits once that parent is gone: a test runner
// killed with SIGKILL runs no exit handlers, and an orphaned server would hold its port.
import dns from 'node:dns';
import net from 'node:net';

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (first !== null && typeof first === 'object' && !('fd' in first) && !('path' in first)) {
    // listen({ port, host? }, cb?)
    if (first.host === undefined) args[0] = { ...first, host: LOOPBACK };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port, host?, backlog?, cb?): insert the host when the second argument is not one.
    if (typeof second !== 'string') args.splice(1, 0, LOOPBACK);
  } else if (first === undefined || typeof first === 'function') {
    // listen() / listen(cb): a random port on every interface; make it a random loopback port.
    args.unshift(0, LOOPBACK);
  }
  return withLiteralLookup(() => listen.apply(this, args));
};

/**
 * Runs `bind` with `dns.lookup` answering the loopback literal at once. Given a host, `listen()`
 * resolves it before binding, even an IP literal, so the server would be bound only after a tick;
 * without one it binds at once, and code such as `app.listen(0).address().port` (the conformance
 * suite's mock servers) relies on that. Net looks `dns.lookup` up at call time, during `listen()`.
 */
function withLiteralLookup(bind) {
  const lookup = dns.lookup;
  dns.lookup = function lookupLiteral(host, ...rest) {
    const callback = rest.at(-1);
    if (host === LOOPBACK && typeof callback === 'function') {
      // Node 22 asks for every address (`{ all: true }`), Node 20 for one.
      if (rest[0]?.all) callback(null, [{ address: LOOPBACK, family: 4 }]);
      else callback(null, LOOPBACK, 4);
      return undefined;
    }
    return lookup.call(this, host, ...rest);
  };
  try {
    return bind();
  } finally {
    dns.lookup = lookup;
  }
}

const parent = Number(process.env.NEXUS_PARENT_PID);
if (Number.isInteger(parent) && parent > 0) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}
