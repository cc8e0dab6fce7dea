/**
 * One request at a time through the network, with a bounded number waiting: a request that would wait
 * beyond the limit is refused at once (503), so memory stays bounded however many clients click.
 */
import { BundleError } from '../errors/index.js';

export class RequestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private running = 0;

  constructor(readonly limit: number) {}

  /** Requests queued or running. */
  get pending(): number {
    return this.waiting + this.running;
  }

  /** Runs `job` after the jobs before it; `queuedMs` is how long it waited. */
  run<T>(job: (queuedMs: number) => Promise<T>): Promise<T> {
    if (this.waiting >= this.limit) {
      throw new BundleError('server_busy', `The server is busy: ${this.waiting} request${this.waiting === 1 ? ' is' : 's are'} already waiting for the network.`, {
        location: { path: '--queue_limit' },
      });
    }
    const queuedAt = performance.now();
    this.waiting += 1;
    const result = this.tail.then(async () => {
      this.waiting -= 1;
      this.running += 1;
      try {
        return await job(performance.now() - queuedAt);
      } finally {
        this.running -= 1;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
