import type { ResourceDefinition } from '../../resource.js';
import { storageClasses } from './storage-classes.js';
import { csiDrivers } from './csi-drivers.js';
import { csiNodes } from './csi-nodes.js';
import { volumeAttachments } from './volume-attachments.js';

export * from './storage-classes.js';
export * from './csi-drivers.js';
export * from './csi-nodes.js';
export * from './volume-attachments.js';

export const storageResources: ResourceDefinition[] = [csiDrivers, csiNodes, storageClasses, volumeAttachments];
