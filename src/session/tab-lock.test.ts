import { describe, expect, it } from 'vitest';
import { claimSessionLock, type LockManagerLike } from './tab-lock';
import { fakeLockManager } from './testing-locks';

describe('claimSessionLock', () => {
  it('the first tab holds the lock; the second waits and takes over when the first lets go', async () => {
    const locks = fakeLockManager();
    const first = await claimSessionLock(locks);
    const second = await claimSessionLock(locks);
    expect(first.state).toBe('held');
    expect(second.state).toBe('elsewhere');
    let tookOver = false;
    void second.whenHeld.then(() => {
      tookOver = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(tookOver).toBe(false);
    first.release();
    await second.whenHeld;
    expect(tookOver).toBe(true);
    // A third tab now finds it taken by the second.
    expect((await claimSessionLock(locks)).state).toBe('elsewhere');
  });

  it('without Web Locks, or when the lock manager refuses, every tab writes', async () => {
    expect((await claimSessionLock(null)).state).toBe('unsupported');
    const refusing: LockManagerLike = { request: () => Promise.reject(new DOMException('no', 'SecurityError')) };
    const lock = await claimSessionLock(refusing);
    expect(lock.state).toBe('unsupported');
    await lock.whenHeld;
  });

  it('a waiting tab that gives up does not take the lock later', async () => {
    const locks = fakeLockManager();
    const first = await claimSessionLock(locks);
    const second = await claimSessionLock(locks);
    second.release();
    first.release();
    await new Promise((r) => setTimeout(r, 5));
    expect((await claimSessionLock(locks)).state).toBe('held');
  });
});
