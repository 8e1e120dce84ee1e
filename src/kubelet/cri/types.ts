/**
 * TypeScript shapes of the CRI v1 messages declared in api.proto, as @grpc/proto-loader
 * presents them with the options in client.ts: camelCase field names, int64 as number
 * (nanosecond timestamps lose sub-microsecond precision, nothing else), enums as their names,
 * bytes as Buffer. Every field is optional on the way in; on the way out scalars carry their
 * proto3 defaults and absent sub-messages are null.
 */
type Opt<T> = T | null | undefined;
export type StringMap = Record<string, string>;

export interface VersionResponse { version?: string; runtimeName?: string; runtimeVersion?: string; runtimeApiVersion?: string }

export interface RuntimeCondition { type?: string; status?: boolean; reason?: string; message?: string }
export interface StatusResponse {
  status?: Opt<{ conditions?: RuntimeCondition[] }>;
  info?: StringMap;
  runtimeHandlers?: { name?: string; features?: Opt<{ recursiveReadOnlyMounts?: boolean; userNamespaces?: boolean }> }[];
  features?: Opt<{ supplementalGroupsPolicy?: boolean; userNamespacesHostNetwork?: boolean; mountOptions?: boolean }>;
}

export interface Int64Value { value?: number }
export interface UInt64Value { value?: number }
export interface KeyValue { key?: string; value?: Buffer | Uint8Array | string }

export interface ImageSpec { image?: string; annotations?: StringMap; userSpecifiedImage?: string; runtimeHandler?: string; imageRef?: string }

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export interface PortMapping { protocol?: Protocol; containerPort?: number; hostPort?: number; hostIp?: string }
export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }

export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export interface IDMapping { hostId?: number; containerId?: number; length?: number }
export interface Mount {
  containerPath?: string; hostPath?: string; readonly?: boolean; selinuxRelabel?: boolean;
  propagation?: MountPropagation; uidMappings?: IDMapping[]; gidMappings?: IDMapping[];
  recursiveReadOnly?: boolean; image?: Opt<ImageSpec>; imageSubPath?: string; mountOptions?: string[];
}

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export interface NamespaceOption {
  network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string;
  usernsOptions?: Opt<{ mode?: NamespaceMode; uids?: IDMapping[]; gids?: IDMapping[] }>;
}
export interface SELinuxOption { user?: string; role?: string; type?: string; level?: string }
export interface SecurityProfile { profileType?: 'RuntimeDefault' | 'Unconfined' | 'Localhost'; localhostRef?: string }

export interface LinuxContainerResources {
  cpuPeriod?: number; cpuQuota?: number; cpuShares?: number; memoryLimitInBytes?: number;
  oomScoreAdj?: number; cpusetCpus?: string; cpusetMems?: string;
  hugepageLimits?: { pageSize?: string; limit?: number }[]; unified?: StringMap; memorySwapLimitInBytes?: number;
}

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: Opt<NamespaceOption>; selinuxOptions?: Opt<SELinuxOption>;
  runAsUser?: Opt<Int64Value>; runAsGroup?: Opt<Int64Value>; readonlyRootfs?: boolean;
  supplementalGroups?: number[]; supplementalGroupsPolicy?: 'Merge' | 'Strict'; privileged?: boolean;
  seccomp?: Opt<SecurityProfile>; apparmor?: Opt<SecurityProfile>;
}
export interface LinuxPodSandboxConfig {
  cgroupParent?: string; securityContext?: Opt<LinuxSandboxSecurityContext>; sysctls?: StringMap;
  overhead?: Opt<LinuxContainerResources>; resources?: Opt<LinuxContainerResources>;
}
export interface PodSandboxMetadata { name?: string; uid?: string; namespace?: string; attempt?: number }
export interface PodSandboxConfig {
  metadata?: Opt<PodSandboxMetadata>; hostname?: string; logDirectory?: string; dnsConfig?: Opt<DNSConfig>;
  portMappings?: PortMapping[]; labels?: StringMap; annotations?: StringMap; linux?: Opt<LinuxPodSandboxConfig>;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export interface PodSandboxStatus {
  id?: string; metadata?: Opt<PodSandboxMetadata>; state?: PodSandboxState; createdAt?: number;
  network?: Opt<{ ip?: string; additionalIps?: { ip?: string }[] }>;
  linux?: Opt<{ namespaces?: Opt<{ options?: Opt<NamespaceOption> }> }>;
  labels?: StringMap; annotations?: StringMap; runtimeHandler?: string;
}
export interface PodSandboxStatusResponse { status?: Opt<PodSandboxStatus>; info?: StringMap; containersStatuses?: ContainerStatus[]; timestamp?: number }
export interface PodSandboxFilter { id?: string; state?: Opt<{ state?: PodSandboxState }>; labelSelector?: StringMap }
export interface PodSandbox {
  id?: string; metadata?: Opt<PodSandboxMetadata>; state?: PodSandboxState; createdAt?: number;
  labels?: StringMap; annotations?: StringMap; runtimeHandler?: string;
}

export interface ContainerMetadata { name?: string; attempt?: number }
export interface Capability { addCapabilities?: string[]; dropCapabilities?: string[]; addAmbientCapabilities?: string[] }
export interface LinuxContainerSecurityContext {
  capabilities?: Opt<Capability>; privileged?: boolean; namespaceOptions?: Opt<NamespaceOption>;
  selinuxOptions?: Opt<SELinuxOption>; runAsUser?: Opt<Int64Value>; runAsGroup?: Opt<Int64Value>;
  runAsUsername?: string; readonlyRootfs?: boolean; supplementalGroups?: number[];
  supplementalGroupsPolicy?: 'Merge' | 'Strict'; noNewPrivs?: boolean; maskedPaths?: string[];
  readonlyPaths?: string[]; seccomp?: Opt<SecurityProfile>; apparmor?: Opt<SecurityProfile>;
}
/** CRI signal names, e.g. 'SIGNAL_SIGTERM'. */
export type Signal = `SIGNAL_${string}`;
export interface ContainerConfig {
  metadata?: Opt<ContainerMetadata>; image?: Opt<ImageSpec>; command?: string[]; args?: string[];
  workingDir?: string; envs?: KeyValue[]; mounts?: Mount[];
  devices?: { containerPath?: string; hostPath?: string; permissions?: string }[];
  labels?: StringMap; annotations?: StringMap; logPath?: string; stdin?: boolean; stdinOnce?: boolean; tty?: boolean;
  linux?: Opt<{ resources?: Opt<LinuxContainerResources>; securityContext?: Opt<LinuxContainerSecurityContext> }>;
  stopSignal?: Signal;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export interface ContainerFilter { id?: string; state?: Opt<{ state?: ContainerState }>; podSandboxId?: string; labelSelector?: StringMap }
export interface Container {
  id?: string; podSandboxId?: string; metadata?: Opt<ContainerMetadata>; image?: Opt<ImageSpec>;
  imageRef?: string; state?: ContainerState; createdAt?: number; labels?: StringMap; annotations?: StringMap; imageId?: string;
}
export interface ContainerStatus {
  id?: string; metadata?: Opt<ContainerMetadata>; state?: ContainerState;
  /** Nanoseconds since the epoch; 0 when not yet. */
  createdAt?: number; startedAt?: number; finishedAt?: number;
  exitCode?: number; image?: Opt<ImageSpec>; imageRef?: string; reason?: string; message?: string;
  labels?: StringMap; annotations?: StringMap; mounts?: Mount[]; logPath?: string;
  resources?: Opt<{ linux?: Opt<LinuxContainerResources> }>; imageId?: string;
  user?: Opt<{ linux?: Opt<{ uid?: number; gid?: number; supplementalGroups?: number[] }> }>; stopSignal?: Signal;
}

export interface ExecSyncResponse { stdout?: Buffer; stderr?: Buffer; exitCode?: number }

export interface UsageTimestamped { timestamp?: number }
export interface CpuUsage extends UsageTimestamped { usageCoreNanoSeconds?: Opt<UInt64Value>; usageNanoCores?: Opt<UInt64Value> }
export interface MemoryUsage extends UsageTimestamped {
  workingSetBytes?: Opt<UInt64Value>; availableBytes?: Opt<UInt64Value>; usageBytes?: Opt<UInt64Value>;
  rssBytes?: Opt<UInt64Value>; pageFaults?: Opt<UInt64Value>; majorPageFaults?: Opt<UInt64Value>;
}
export interface FilesystemUsage extends UsageTimestamped { fsId?: Opt<{ mountpoint?: string }>; usedBytes?: Opt<UInt64Value>; inodesUsed?: Opt<UInt64Value> }
export interface ContainerStats {
  attributes?: Opt<{ id?: string; metadata?: Opt<ContainerMetadata>; labels?: StringMap; annotations?: StringMap }>;
  cpu?: Opt<CpuUsage>; memory?: Opt<MemoryUsage>; writableLayer?: Opt<FilesystemUsage>;
}
export interface PodSandboxStats {
  attributes?: Opt<{ id?: string; metadata?: Opt<PodSandboxMetadata>; labels?: StringMap; annotations?: StringMap }>;
  linux?: Opt<{
    cpu?: Opt<CpuUsage>; memory?: Opt<MemoryUsage>;
    network?: Opt<UsageTimestamped & { defaultInterface?: Opt<NetworkInterfaceUsage>; interfaces?: NetworkInterfaceUsage[] }>;
    process?: Opt<UsageTimestamped & { processCount?: Opt<UInt64Value> }>; containers?: ContainerStats[];
  }>;
}
export interface NetworkInterfaceUsage { name?: string; rxBytes?: Opt<UInt64Value>; rxErrors?: Opt<UInt64Value>; txBytes?: Opt<UInt64Value>; txErrors?: Opt<UInt64Value> }

export interface Image {
  id?: string; repoTags?: string[]; repoDigests?: string[]; size?: number; uid?: Opt<Int64Value>;
  username?: string; spec?: Opt<ImageSpec>; pinned?: boolean;
}
export interface AuthConfig { username?: string; password?: string; auth?: string; serverAddress?: string; identityToken?: string; registryToken?: string }

/** Request and response of every call, by method name. */
export interface RuntimeCalls {
  Version: [{ version?: string }, VersionResponse];
  RunPodSandbox: [{ config?: PodSandboxConfig; runtimeHandler?: string }, { podSandboxId?: string }];
  StopPodSandbox: [{ podSandboxId: string }, Record<string, never>];
  RemovePodSandbox: [{ podSandboxId: string }, Record<string, never>];
  PodSandboxStatus: [{ podSandboxId: string; verbose?: boolean }, PodSandboxStatusResponse];
  ListPodSandbox: [{ filter?: PodSandboxFilter }, { items?: PodSandbox[] }];
  CreateContainer: [{ podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig }, { containerId?: string }];
  StartContainer: [{ containerId: string }, Record<string, never>];
  StopContainer: [{ containerId: string; timeout?: number }, Record<string, never>];
  RemoveContainer: [{ containerId: string }, Record<string, never>];
  ListContainers: [{ filter?: ContainerFilter }, { containers?: Container[] }];
  ContainerStatus: [{ containerId: string; verbose?: boolean }, { status?: Opt<ContainerStatus>; info?: StringMap }];
  UpdateContainerResources: [{ containerId: string; linux?: LinuxContainerResources; annotations?: StringMap }, Record<string, never>];
  ReopenContainerLog: [{ containerId: string }, Record<string, never>];
  ExecSync: [{ containerId: string; cmd: string[]; timeout?: number }, ExecSyncResponse];
  Exec: [{ containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }, { url?: string }];
  Attach: [{ containerId: string; stdin?: boolean; tty?: boolean; stdout?: boolean; stderr?: boolean }, { url?: string }];
  PortForward: [{ podSandboxId: string; port?: number[] }, { url?: string }];
  ContainerStats: [{ containerId: string }, { stats?: Opt<ContainerStats> }];
  ListContainerStats: [{ filter?: { id?: string; podSandboxId?: string; labelSelector?: StringMap } }, { stats?: ContainerStats[] }];
  PodSandboxStats: [{ podSandboxId: string }, { stats?: Opt<PodSandboxStats> }];
  ListPodSandboxStats: [{ filter?: { id?: string; labelSelector?: StringMap } }, { stats?: PodSandboxStats[] }];
  UpdateRuntimeConfig: [{ runtimeConfig?: { networkConfig?: { podCidr?: string } } }, Record<string, never>];
  Status: [{ verbose?: boolean }, StatusResponse];
}

export interface ImageCalls {
  ListImages: [{ filter?: { image?: ImageSpec } }, { images?: Image[] }];
  ImageStatus: [{ image: ImageSpec; verbose?: boolean }, { image?: Opt<Image>; info?: StringMap }];
  PullImage: [{ image: ImageSpec; auth?: AuthConfig; sandboxConfig?: PodSandboxConfig }, { imageRef?: string }];
  RemoveImage: [{ image: ImageSpec }, Record<string, never>];
  ImageFsInfo: [Record<string, never>, { imageFilesystems?: FilesystemUsage[]; containerFilesystems?: FilesystemUsage[] }];
}
