/**
 * Loaded into each data-plane process before the API (`node --import <this> api/dist/main.js`): when the sandbox
 * that started it is gone without stopping it (killed with SIGKILL, crashed), the process is re-parented, and this
 * sends it SIGTERM so that it shuts down as ECS would stop it. The sandbox's own close stops its processes first;
 * this is only for a sandbox that could not. It changes nothing else in the process.
 */
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
}, 500);
watch.unref();

export {};
