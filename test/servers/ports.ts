// Free loopback ports, chosen at run time so parallel runs and other engineers' servers never clash.
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** True when 127.0.0.1:port can be bound right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolvePromise(true)));
  });
}

/** A port the kernel just handed out for 127.0.0.1:0 (closed again; a tiny race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePromise(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

/**
 * A port p such that p + each offset is free too: the RocketMQ broker also opens listenPort-2 and
 * listenPort+1, so those must not collide with anything.
 */
export async function freePortWithNeighbours(offsets: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (offsets.some((o) => port + o < 1024 || port + o > 65535)) continue;
    const free = await Promise.all(offsets.map((o) => isPortFree(port + o)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no free port with free neighbours ${offsets.join(',')} after 50 attempts`);
}
