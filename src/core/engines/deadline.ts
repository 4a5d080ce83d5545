import { EngineError } from './errors';

/**
 * Resolves with `work` or rejects with a timeout EngineError after `ms`, whichever comes first.
 * `cleanup` runs when the deadline wins, to close whatever `work` opened.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string, cleanup?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cleanup?.();
      reject(new EngineError('timeout', `${what} did not answer within ${Math.round(ms / 100) / 10} s`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
