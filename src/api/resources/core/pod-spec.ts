/**
 * The pod spec's public face, shared by every resource that templates pods: defaulting,
 * validation, QoS and the printer helpers. Logic lives in the pod-*.ts files beside it.
 */
export {
  defaultPodSpec, defaultPodTemplateSpec, defaultContainer, defaultVolume, defaultPullPolicy, imageTag,
  defaultPersistentVolumeClaimSpec, defaultPodOnlyFields, defaultRequestsFromLimits, volumeSourcesOf,
  defaultTerminationGracePeriodSeconds, defaultSchedulerName, defaultVolumeMode,
} from './pod-defaults.js';
export {
  validatePodSpec, validatePodTemplateSpec, validatePodSpecUpdate, validateEphemeralContainersUpdate,
  validateResourceRequirements, validateTolerations, validateAffinity, validateNodeSelector, validateVolumes,
  isRelaxedEnvVarName, podUpdateForbiddenMessage, type PodValidationOptions,
} from './pod-validation.js';
export { computePodQOS, type PodQOSClass } from './pod-qos.js';
export {
  summarizePod, restartsCell, podIPCell, readinessGatesCell, containerNamesCell, containerImagesCell,
  ageColumn, templateColumns, type PodSummary,
} from './pod-printers.js';
