/**
 * The audit log's worker thread (see audit-workers.ts): checks the segment files it is sent
 * (segment-check.ts) and hands each result back without copying its arrays.
 */
import { parentPort } from 'node:worker_threads';
import { checkSegment, transferList } from './segment-check';
import type { WorkerJob, WorkerReply } from './audit-workers';

const port = parentPort;
port?.on('message', (job: WorkerJob) => {
  checkSegment(job.path, job.sizeHint).then(
    (result) => port.postMessage({ id: job.id, result } satisfies WorkerReply, transferList(result)),
    (error: unknown) => port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
