/**
 * One writer per device: the tab that saves the session holds a Web Lock
 * (`navigator.locks`) for as long as it is open. A second tab finds the lock
 * taken, so it reads the session but does not write it (two tabs writing
 * one session would each overwrite the other's work, last write wins); it
 * queues for the lock and becomes the writer the moment the first tab closes.
 * Where Web Locks do not exist every tab writes, as before.
 */

/** The part of the Web Locks API used here (tests pass a fake). */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

export interface SessionLock {
  /** 'held': this tab writes; 'elsewhere': another tab does (see `whenHeld`); 'unsupported': no Web Locks, this tab writes. */
  readonly state: 'held' | 'elsewhere' | 'unsupported';
  /** Resolves when this tab holds the lock (at once unless 'elsewhere'). */
  readonly whenHeld: Promise<void>;
  /** Gives the lock up (or stops waiting for it). */
  release(): void;
}

export const SESSION_LOCK_NAME = 'dreamlift-session';

function browserLocks(): LockManagerLike | null {
  const locks = (globalThis.navigator as (Navigator & { locks?: LockManagerLike }) | undefined)?.locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

/** Takes the session lock if it is free; otherwise queues for it. */
export async function claimSessionLock(locks: LockManagerLike | null = browserLocks(), name = SESSION_LOCK_NAME): Promise<SessionLock> {
  if (!locks) return { state: 'unsupported', whenHeld: Promise.resolve(), release: () => {} };
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let isReleased = false;
  const giveUp = () => {
    isReleased = true;
    release();
  };
  // Held until `release`: the callback's promise keeps the lock.
  const first = await new Promise<'held' | 'taken' | 'failed'>((resolve) => {
    void locks.request(name, { ifAvailable: true }, async (lock) => {
      resolve(lock !== null ? 'held' : 'taken');
      if (lock !== null) await released;
    }).catch(() => resolve('failed'));
  });
  // A lock manager that refuses (e.g. an opaque origin) must not stop this tab from saving.
  if (first === 'failed') return { state: 'unsupported', whenHeld: Promise.resolve(), release: giveUp };
  if (first === 'held') return { state: 'held', whenHeld: Promise.resolve(), release: giveUp };
  const whenHeld = new Promise<void>((resolve) => {
    void locks.request(name, {}, async () => {
      if (isReleased) return;
      resolve();
      await released;
    }).catch(() => undefined);
  });
  return { state: 'elsewhere', whenHeld, release: giveUp };
}
