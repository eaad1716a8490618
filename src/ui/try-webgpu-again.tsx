import { useState } from 'react';
import { tryWebGpuAgain } from '../state/gpu-retry';

/** Shown next to the notice after a lost GPU device: start the workers on WebGPU again without a reload. */
export function TryWebGpuAgain() {
  const [isTrying, setIsTrying] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid="webgpu-retry"
      disabled={isTrying}
      onClick={() => {
        setIsTrying(true);
        void tryWebGpuAgain().finally(() => setIsTrying(false));
      }}
    >
      {isTrying ? 'Trying WebGPU…' : 'Try WebGPU again'}
    </button>
  );
}
