/**
 * Hand-made Swagger-2.0 definitions for the patch tests, shaped like the upstream
 * `/openapi/v2` document (same names, `$ref`s and `x-kubernetes-*` extensions) but trimmed to the
 * fields the tests touch.
 */
import type { Definitions, SchemaObject } from '../patch-meta.js';

const ref = (name: string, extra: Partial<SchemaObject> = {}): SchemaObject => ({ $ref: `#/definitions/${name}`, ...extra });
const str: SchemaObject = { type: 'string' };
const int: SchemaObject = { type: 'integer', format: 'int32' };
const bool: SchemaObject = { type: 'boolean' };
const intOrString: SchemaObject = { type: 'string', format: 'int-or-string' };
const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };
const stringList: SchemaObject = { type: 'array', items: { type: 'string' } };
const mergeList = (item: string, key: string, mapKeys: string[] = [key], extra: Partial<SchemaObject> = {}): SchemaObject => ({
  type: 'array', items: ref(item),
  'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': mapKeys, ...extra,
});

export const definitions: Definitions = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    type: 'object',
    properties: {
      name: str, namespace: str, uid: str, resourceVersion: str, generation: { type: 'integer', format: 'int64' },
      creationTimestamp: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      labels: stringMap, annotations: stringMap,
      finalizers: { ...stringList, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
      ownerReferences: mergeList('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', 'uid'),
      managedFields: { type: 'array', items: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry') },
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': {
    type: 'object',
    properties: { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool },
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': {
    type: 'object',
    properties: {
      manager: str, operation: str, apiVersion: str, time: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      fieldsType: str, fieldsV1: { type: 'object' }, subresource: str,
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': {
    type: 'object',
    properties: {
      matchLabels: stringMap,
      matchExpressions: { type: 'array', items: { type: 'object', properties: { key: str, operator: str, values: stringList } } },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.apps.v1.Deployment': {
    type: 'object',
    properties: {
      apiVersion: str, kind: str,
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.apps.v1.DeploymentSpec'),
      status: ref('io.k8s.api.apps.v1.DeploymentStatus'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    type: 'object',
    properties: {
      replicas: int, paused: bool, minReadySeconds: int, revisionHistoryLimit: int, progressDeadlineSeconds: int,
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
      strategy: ref('io.k8s.api.apps.v1.DeploymentStrategy', { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    },
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: 'object',
    properties: { type: str, rollingUpdate: ref('io.k8s.api.apps.v1.RollingUpdateDeployment') },
  },
  'io.k8s.api.apps.v1.RollingUpdateDeployment': {
    type: 'object', properties: { maxSurge: intOrString, maxUnavailable: intOrString },
  },
  'io.k8s.api.apps.v1.DeploymentStatus': {
    type: 'object',
    properties: {
      replicas: int, readyReplicas: int, observedGeneration: { type: 'integer', format: 'int64' },
      conditions: mergeList('io.k8s.api.apps.v1.DeploymentCondition', 'type'),
    },
  },
  'io.k8s.api.apps.v1.DeploymentCondition': {
    type: 'object', properties: { type: str, status: str, reason: str, message: str },
  },
  'io.k8s.api.core.v1.PodTemplateSpec': {
    type: 'object',
    properties: { metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: ref('io.k8s.api.core.v1.PodSpec') },
  },
  'io.k8s.api.core.v1.PodSpec': {
    type: 'object',
    required: ['containers'],
    properties: {
      containers: mergeList('io.k8s.api.core.v1.Container', 'name'),
      initContainers: mergeList('io.k8s.api.core.v1.Container', 'name'),
      volumes: mergeList('io.k8s.api.core.v1.Volume', 'name', ['name'], { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
      imagePullSecrets: { type: 'array', items: ref('io.k8s.api.core.v1.LocalObjectReference'),
        'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
      tolerations: { type: 'array', items: ref('io.k8s.api.core.v1.Toleration') },
      nodeSelector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      serviceAccountName: str, restartPolicy: str, terminationGracePeriodSeconds: { type: 'integer', format: 'int64' },
    },
  },
  'io.k8s.api.core.v1.LocalObjectReference': {
    type: 'object', properties: { name: str }, 'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.api.core.v1.Toleration': {
    type: 'object', properties: { key: str, operator: str, value: str, effect: str },
  },
  'io.k8s.api.core.v1.Container': {
    type: 'object',
    properties: {
      name: str, image: str, imagePullPolicy: str, args: stringList, command: stringList,
      env: mergeList('io.k8s.api.core.v1.EnvVar', 'name'),
      ports: mergeList('io.k8s.api.core.v1.ContainerPort', 'containerPort', ['containerPort', 'protocol']),
      volumeMounts: mergeList('io.k8s.api.core.v1.VolumeMount', 'mountPath'),
      resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
    },
  },
  'io.k8s.api.core.v1.EnvVar': { type: 'object', properties: { name: str, value: str } },
  'io.k8s.api.core.v1.ContainerPort': {
    type: 'object',
    properties: { containerPort: int, hostPort: int, name: str, protocol: { type: 'string', default: 'TCP' } },
  },
  'io.k8s.api.core.v1.VolumeMount': { type: 'object', properties: { name: str, mountPath: str, readOnly: bool } },
  'io.k8s.api.core.v1.ResourceRequirements': {
    type: 'object',
    properties: {
      limits: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
      requests: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
    },
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.api.core.v1.Volume': {
    type: 'object',
    properties: {
      name: str,
      emptyDir: ref('io.k8s.api.core.v1.EmptyDirVolumeSource'),
      configMap: ref('io.k8s.api.core.v1.ConfigMapVolumeSource'),
      secret: ref('io.k8s.api.core.v1.SecretVolumeSource'),
    },
  },
  'io.k8s.api.core.v1.EmptyDirVolumeSource': { type: 'object', properties: { medium: str, sizeLimit: str } },
  'io.k8s.api.core.v1.ConfigMapVolumeSource': { type: 'object', properties: { name: str, defaultMode: int, optional: bool } },
  'io.k8s.api.core.v1.SecretVolumeSource': { type: 'object', properties: { secretName: str, defaultMode: int } },
  'io.k8s.api.core.v1.Service': {
    type: 'object',
    properties: {
      apiVersion: str, kind: str,
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: { type: 'object', properties: {
        ports: mergeList('io.k8s.api.core.v1.ServicePort', 'port', ['port', 'protocol']),
        selector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
        type: str,
      } },
    },
  },
  'io.k8s.api.core.v1.ServicePort': {
    type: 'object',
    properties: { name: str, port: int, protocol: { type: 'string', default: 'TCP' }, targetPort: intOrString, nodePort: int },
  },
};
