// Preloaded (`node --import`) into servers that cannot be told which interface to bind, such as
// server-everything, whose `app.listen(PORT)` binds every interface. A test or demo server
// reachable from the network would hand strangers its tools (server-everything even has
// `get-env`, which prints its whole environment), so listening without a host is pinned to
// 127.0.0.1 here.
//
// With NEXUS_PARENT_PID set, the process also exits once that parent is gone: a test runner
// killed with SIGKILL runs no exit handlers, and an orphaned server would hold its port.
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
  return listen.apply(this, args);
};

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
