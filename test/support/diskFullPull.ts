// Run by test/integration/modelPull.test.ts inside a user and mount namespace (`unshare -rm`), where it may mount a
// small tmpfs: a pull whose disk fills up half-way (after the free-space check passed), then the same pull once space
// is freed again. Prints one JSON line: what the first pull threw, what it left behind, and how the second ended.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, statfsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullModel, pulledPath } from '../../server/src/download/modelPull';

async function main(): Promise<void> {
  const [hub, repo, file, sourcePath] = process.argv.slice(2) as [string, string, string, string];
  const disk = mkdtempSync(join(tmpdir(), 'hearth-tmpfs-'));
  // Room for the file and the pull's margin of 256 MiB: the check before the download passes.
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${256 + 16}m`, 'tmpfs', disk]);
  const dir = join(disk, 'models');
  const filler = join(disk, 'filler');
  let filled = false;
  const first = await pullModel({
    repo,
    file,
    dir,
    hub,
    onProgress: (progress) => {
      if (filled || progress.downloadedBytes < 2 ** 20) return;
      filled = true; // something else takes the disk while the download runs
      const info = statfsSync(disk);
      writeFileSync(filler, Buffer.alloc(Number(info.bavail * info.bsize) - 64 * 1024));
    },
  }).then(
    (pulled) => ({ ok: true as const, path: pulled.path }),
    (error: Error & { kind?: string }) => ({ ok: false as const, kind: error.kind, message: error.message }),
  );
  const folder = join(pulledPath(dir, repo, file), '..');
  const left = readdirSync(folder).map((name) => ({ name, bytes: statSync(join(folder, name)).size }));
  rmSync(filler, { force: true });
  const second = await pullModel({ repo, file, dir, hub }).then(
    (pulled) => ({ ok: true as const, identical: readFileSync(pulled.path).equals(readFileSync(sourcePath)), left: readdirSync(folder).sort() }),
    (error: Error & { kind?: string }) => ({ ok: false as const, kind: error.kind, message: error.message }),
  );
  execFileSync('umount', [disk]);
  rmSync(disk, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ filled, first, left, second })}\n`);
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
