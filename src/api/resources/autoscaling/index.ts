import type { ResourceDefinition } from '../../resource.js';
import { horizontalPodAutoscalers, horizontalPodAutoscalersV1 } from './horizontal-pod-autoscalers.js';

export * from './horizontal-pod-autoscalers.js';
export * from './hpa-v2.js';
export * from './hpa-conversion.js';

/** autoscaling: v2 first (preferred), then v1; both stored as v2. */
export const autoscalingResources: ResourceDefinition[] = [horizontalPodAutoscalers, horizontalPodAutoscalersV1] as unknown as ResourceDefinition[];
