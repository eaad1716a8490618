/**
 * A Worker stand-in for client tests in Node: `api` is exposed with Comlink on
 * the far end of a MessageChannel, as a worker entry would expose it.
 * `fireError` plays the worker's uncaught error (what a crash looks like to the page).
 */
import * as Comlink from 'comlink';

export interface FakeWorker {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  terminate(): void;
  /** Fires the worker's 'error' event, as an uncaught exception (or an out-of-memory kill) would. */
  fireError(message: string): void;
  readonly terminated: boolean;
}

export function fakeWorker(api: object): FakeWorker {
  const channel = new MessageChannel();
  Comlink.expose(api, channel.port2);
  const port = channel.port1;
  const listeners: Record<string, ((event: Event) => void)[]> = {};
  let terminated = false;
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => {
      if (type === 'message') port.addEventListener('message', listener as (event: MessageEvent) => void);
      else (listeners[type] ??= []).push(listener);
      port.start();
    },
    removeEventListener: (type, listener) => {
      if (type === 'message') port.removeEventListener('message', listener as (event: MessageEvent) => void);
    },
    terminate: () => {
      terminated = true;
      port.close();
      channel.port2.close();
    },
    fireError: (message) => listeners.error?.forEach((listener) => listener({ message, preventDefault() {} } as unknown as Event)),
    get terminated() {
      return terminated;
    },
  };
}
