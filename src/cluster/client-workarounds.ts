// Workarounds for two node-zookeeper-client 1.1.3 defects that reach into its ConnectionManager
// (lib/ConnectionManager.js). Each checks the shape it relies on and does nothing if it changed.
//  1. A connect attempt whose TCP connection is up but whose connect request is never answered (a
//     ZooKeeper still starting up does that) waits forever: the client clears its connect timeout on TCP
//     connect and has no read timeout.
//  2. close() on a client that is not connected is unsafe: the client keeps retrying, and when a retry
//     reaches a server it sends a connect request anyway, then parses the answer as a reply (its state is
//     CLOSING, not CONNECTING) and throws "Unknown code" from a socket handler, killing the process.
import { Socket } from 'node:net';
import type * as zookeeper from 'node-zookeeper-client';

/** lib/ConnectionManager.js STATES */
const CONNECTING = 1;
const CONNECTED = 2;

interface ManagerInternals {
  state?: unknown;
  socket?: unknown;
  connect?: unknown;
  onSocketConnected?: unknown;
}

function internals(client: zookeeper.Client): ManagerInternals | undefined {
  const manager = (client as unknown as { connectionManager?: unknown }).connectionManager;
  return typeof manager === 'object' && manager !== null ? (manager as ManagerInternals) : undefined;
}

/**
 * The socket of a connect attempt whose TCP connection is established but which is still waiting for the
 * server's answer; undefined otherwise. The caller abandons it when it finds the same one again later.
 */
export function pendingConnectSocket(client: zookeeper.Client): Socket | undefined {
  const m = internals(client);
  if (m?.state !== CONNECTING) return undefined;
  const socket = m.socket;
  return socket instanceof Socket && !socket.connecting && !socket.destroyed ? socket : undefined;
}

/**
 * Ends the client for good. Connected: a normal close (the server ends the session and removes its
 * ephemeral nodes). Otherwise: stop its reconnection loop without ever sending anything, since the
 * server cannot be told anyway (it will expire the session). Returns true when a close was sent.
 */
export function shutDownClient(client: zookeeper.Client): boolean {
  const m = internals(client);
  if (m === undefined || m.state === CONNECTED || typeof m.connect !== 'function') {
    client.close();
    return true;
  }
  // no new attempt; an attempt already under way is dropped on TCP connect, before it sends anything
  m.connect = (): void => undefined;
  m.onSocketConnected = function dropAttempt(this: ManagerInternals): void {
    if (this.socket instanceof Socket) this.socket.destroy();
  };
  if (m.socket instanceof Socket) m.socket.destroy();
  return false;
}
