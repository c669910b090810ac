import 'server-only';
/** The store's write rules as pure functions (plans.ts); every backend persists these. */
export { MAX_EVENT_LINES, dedupeLines, eventChunks, numberAtEnd, type DedupedLines } from './lines';
export { MAX_GROUPS_PER_STEP, MAX_JOB_BYTES, MAX_STEPS_PER_JOB, assertGroups, assertJobBytes, assertNewSteps, textBytes, type JobUsage } from './quotas';
export {
  endedStepStatus,
  planAppend,
  planComplete,
  planErrors,
  planGroups,
  planPutJob,
  planPutStep,
  planStart,
  type AppendPlan,
  type CompletePlan,
  type JobHead,
  type PutJobPlan,
  type PutStepPlan,
} from './plans';
export { assertMasksFresh, planAddMasks, type AddMasksPlan } from './masks';
export { sameJson } from './same-json';
export { FINAL_STEP_STATUSES, applyStepPatch, newStep, withStatus, type StepLike } from './steps';
export { appendResult, assertBaseFresh, baseOf, checkUpdates, isProducedRetry, producedAfter, storedProduced, withProduced } from './screen';
