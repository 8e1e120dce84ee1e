/**
 * Labels and annotations the kubelet puts on CRI sandboxes and containers — the same keys the
 * Kubernetes kubelet uses — so that a restarted agent finds its pods' runtime objects again.
 */
export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUIDLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';
/** Marks sandboxes and containers created by a k8ts kubelet. */
export const managedLabel = 'io.kubernetes.k8ts.managed';

export const containerHashAnnotation = 'io.kubernetes.container.hash';
export const containerRestartCountAnnotation = 'io.kubernetes.container.restartCount';
export const containerTerminationMessagePathAnnotation = 'io.kubernetes.container.terminationMessagePath';
export const containerTerminationMessagePolicyAnnotation = 'io.kubernetes.container.terminationMessagePolicy';
export const podTerminationGracePeriodAnnotation = 'io.kubernetes.pod.terminationGracePeriod';
/** 'init' or 'regular': which list of the pod spec a container came from. */
export const containerTypeAnnotation = 'io.kubernetes.container.type';
/** Where the kubelet-managed files of the pod (etc-hosts, termination logs) live on the host. */
export const podDirAnnotation = 'io.kubernetes.k8ts.podDir';
