import protobuf from 'protobufjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parsed k8ts protobuf schema (./schema/*.proto): every message reachable from the decodable kinds. */
export interface ProtobufSchema {
  readonly root: protobuf.Root;
  /** The message type by fully qualified name (no leading dot). */
  type(name: string): protobuf.Type;
}

const schemaFiles = [
  'runtime.proto', 'core-v1.proto', 'apps-v1.proto', 'batch-v1.proto', 'rbac-v1.proto', 'policy-v1.proto',
  'scheduling-v1.proto', 'networking-v1.proto', 'authentication-v1.proto', 'authorization-v1.proto',
  'autoscaling-v1.proto', 'autoscaling-v2.proto', 'certificates-v1.proto',
] as const;

/** Where protobufjs keeps google/protobuf/descriptor.proto (needed by k8ts-options.proto). */
function protobufjsIncludeDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(dirname(dirname(require.resolve('protobufjs/google/protobuf/descriptor.proto'))));
}

/**
 * Parses the .proto files beside this module (about 40 ms); do it once per process and share the result.
 * `extraFiles` (absolute paths) may add messages, e.g. for tests.
 */
export function loadProtobufSchema(extraFiles: readonly string[] = []): ProtobufSchema {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'schema');
  const include = protobufjsIncludeDir();
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? join(include, target) : protobuf.util.path.resolve(origin, target);
  try {
    root.loadSync([...schemaFiles.map((f) => join(dir, f)), ...extraFiles], { keepCase: true });
    root.resolveAll();
  } catch (cause) {
    throw new Error(`loading the Kubernetes protobuf schema from ${dir}`, { cause });
  }
  return {
    root,
    type(name) { return root.lookupType(name); },
  };
}
