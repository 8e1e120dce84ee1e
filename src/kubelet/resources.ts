/** Container resources → CRI Linux resources (cgroup v1 values), as the kubelet converts them. */
import type { Container } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../api/quantity.js';
import type { LinuxContainerResources } from './cri/types.js';
import type { QOSClass } from './qos.js';

export const cpuPeriodUs = 100_000;
const minShares = 2;
const maxShares = 262_144;
const minQuotaUs = 1000;

export function milliCPUToShares(milli: number): number {
  if (milli === 0) return minShares;
  return Math.min(maxShares, Math.max(minShares, Math.floor((milli * 1024) / 1000)));
}

export function milliCPUToQuota(milli: number, period = cpuPeriodUs): number {
  if (milli === 0) return 0;
  return Math.max(minQuotaUs, Math.floor((milli * period) / 1000));
}

/**
 * oom_score_adj by QoS: BestEffort 1000; Burstable scaled by memory request against node
 * capacity into [3, 999]; Guaranteed would be -997, but the agent never asks for a negative
 * value (no CAP_SYS_RESOURCE; containerd runs with restrict_oom_score_adj), so it gets 0.
 */
export function oomScoreAdj(qos: QOSClass, memoryRequestBytes: number, memoryCapacityBytes: number): number {
  if (qos === 'Guaranteed') return 0;
  if (qos === 'BestEffort') return 1000;
  const adj = 1000 - Math.floor((1000 * memoryRequestBytes) / Math.max(1, memoryCapacityBytes));
  if (adj < 3) return 3;
  if (adj >= 1000) return 999;
  return adj;
}

export function linuxResources(c: Container, qos: QOSClass, memoryCapacityBytes: number): LinuxContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  const memReq = req.memory ?? lim.memory;
  const out: LinuxContainerResources = {
    cpuShares: milliCPUToShares(cpuReq !== undefined ? quantityMilliValue(parseQuantity(cpuReq)) : 0),
    oomScoreAdj: oomScoreAdj(qos, memReq !== undefined ? quantityValue(parseQuantity(memReq)) : 0, memoryCapacityBytes),
  };
  if (lim.cpu !== undefined) {
    out.cpuPeriod = cpuPeriodUs;
    out.cpuQuota = milliCPUToQuota(quantityMilliValue(parseQuantity(lim.cpu)));
  }
  if (lim.memory !== undefined) out.memoryLimitInBytes = quantityValue(parseQuantity(lim.memory));
  return out;
}
