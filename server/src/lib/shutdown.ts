import type { Server } from 'node:http';
import type { Job, Worker } from 'bullmq';

/**
 * Graceful shutdown (SPEC §11). The first SIGTERM (or Ctrl-C) runs `drain` and exits 0 when it is
 * done; a second one exits at once with 1, for an operator or orchestrator that will not wait.
 */
export function exitOnSignal(name: string, drain: () => Promise<void>): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      console.error(`${name}: second ${signal}, exiting now`);
      process.exit(1);
    }
    draining = true;
    console.log(`${name}: ${signal} received, finishing what is in flight`);
    drain().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${name}: shutdown failed:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

const untilDeadline = (deadline: number) =>
  new Promise<'deadline'>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()), 'deadline'));

/**
 * Stops accepting connections at once and lets requests in flight finish until `deadline`;
 * connections still open then are cut. Keep-alive connections are closed as soon as they are idle
 * (a finished request's too), or they would hold the close until the client let go.
 */
export async function closeHttpServer(server: Server, deadline: number): Promise<void> {
  const closed = new Promise<'closed'>((resolve) => server.close(() => resolve('closed')));
  const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
  try {
    if ((await Promise.race([closed, untilDeadline(deadline)])) === 'deadline') {
      server.closeAllConnections();
      await closed;
    }
  } finally {
    clearInterval(closeIdle);
  }
}

/**
 * A BullMQ worker's shutdown: it takes no new task; the tasks it runs may finish until the
 * deadline, and those still running then go back to the queue (not to the stalled-job recovery, which
 * would wait for their locks to expire), so the next worker takes them at once. A task cut short
 * has committed nothing of its current step (every batch and page commits in one MULTI), so running
 * it again is safe. Call at start-up, before the worker can have taken a task.
 */
export function releasingWorker(worker: Worker): { close(deadline: number): Promise<{ released: number }> } {
  const running = new Map<string, Job>();
  worker.on('active', (job) => {
    if (job.id) running.set(job.id, job);
  });
  const settled = (job: Job | undefined) => {
    if (job?.id) running.delete(job.id);
  };
  worker.on('completed', settled);
  worker.on('failed', settled);
  return {
    async close(deadline) {
      const finished = worker.close().then(() => 'finished' as const);
      if ((await Promise.race([finished, untilDeadline(deadline)])) === 'finished') return { released: 0 };
      const unfinished = [...running.values()];
      await Promise.all(unfinished.map((job) => job.moveToWait(job.token).catch(() => undefined)));
      return { released: unfinished.length };
    },
  };
}
