import { formatHelp, parseFlags, UsageError, type Flag } from '../flags.js';
import { containerdPaths } from '../../kubelet/containerd/index.js';
import { buildImage, buildImageArchive, formatImageTable, importImages, listImages } from '../../kubelet/images/index.js';
import { defaultDataDir } from './server-flags.js';

const common: Flag[] = [
  { name: 'data-dir', short: 'd', type: 'string', default: defaultDataDir(), env: 'K8TS_DATA_DIR', help: 'Folder of the node whose containerd to use' },
  { name: 'container-runtime-endpoint', type: 'string', default: '', help: 'CRI/containerd socket (default: the node\'s own containerd under --data-dir)' },
];
const buildFlags: Flag[] = [
  ...common,
  { name: 'tag', short: 't', type: 'strings', default: [], help: 'NAME[:TAG] of the image (repeatable: several names for one image)' },
  { name: 'output', short: 'o', type: 'string', default: '', help: 'Write the image to this OCI image-layout tarball instead of importing it (push it with skopeo copy oci-archive:FILE docker://…)' },
  { name: 'entrypoint', type: 'strings', default: [], help: 'Entrypoint (comma-separated argv)' },
  { name: 'cmd', type: 'strings', default: [], help: 'Default arguments (comma-separated argv)' },
  { name: 'env', short: 'e', type: 'strings', default: [], help: 'NAME=value environment (repeatable)' },
  { name: 'workdir', short: 'w', type: 'string', default: '', help: 'Working directory' },
  { name: 'port', short: 'p', type: 'strings', default: [], help: 'Exposed ports, e.g. 8080/tcp' },
];

const usage = `k8ts image <command>

Commands:
  import FILE.tar...        load OCI-layout or docker-archive tarballs into the node's containerd
  ls                        list the node's images
  build -t NAME:TAG DIR     pack DIR as a one-layer image (no Docker needed) and import it
                            (--output FILE.tar writes an OCI archive instead)`;

/** `k8ts image import|ls|build`: the node's images, through its containerd. */
export const imageCommand = {
  name: 'image',
  summary: 'Import, list and build images on this node (no Docker needed)',
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') {
      console.log(usage);
      return sub ? 0 : 1;
    }
    const flags = sub === 'build' ? buildFlags : common;
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(formatHelp(`k8ts image ${sub} [flags]`, flags));
      return 0;
    }
    const { values, args } = parseFlags(flags, rest, process.env);
    const socket = String(values['container-runtime-endpoint'] || containerdPaths(String(values['data-dir'])).socket).replace(/^unix:\/\//, '');
    switch (sub) {
      case 'import': {
        if (args.length === 0) throw new UsageError('image import needs at least one tarball');
        for (const img of await importImages(args, socket)) console.log(`imported ${img.names.join(", ")}`);
        return 0;
      }
      case 'ls':
        console.log(formatImageTable(await listImages(socket)));
        return 0;
      case 'build': {
        const [tag, ...moreTags] = values.tag as string[];
        if (!tag) throw new UsageError('image build needs -t NAME:TAG');
        if (args.length !== 1) throw new UsageError('image build needs exactly one directory');
        const list = (v: unknown) => (v as string[]).length ? (v as string[]) : undefined;
        const opts = {
          tag, moreTags, dir: args[0]!, entrypoint: list(values.entrypoint), cmd: list(values.cmd), env: list(values.env),
          workdir: String(values.workdir) || undefined, exposedPorts: list(values.port),
        };
        const output = String(values.output);
        const r = output ? await buildImageArchive(opts, output) : await buildImage(opts, socket);
        console.log(`built ${r.names.join(', ')} (${r.id})${output ? ` into ${output}` : ''}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown image command "${sub}"\n\n${usage}`);
    }
  },
};
