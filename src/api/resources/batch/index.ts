import type { ResourceDefinition } from '../../resource.js';
import { cronJobs } from './cron-jobs.js';
import { jobs } from './jobs.js';

export * from './cron-jobs.js';
export * from './jobs.js';
export * from './cron-schedule.js';

/** batch/v1, in discovery order. */
export const batchResources: ResourceDefinition[] = [cronJobs, jobs] as unknown as ResourceDefinition[];
