/**
 * The file operations the durable memory store performs once open, behind an interface so tests can
 * count flushes or make one fail. Opening (load, replay, truncating a torn tail) is synchronous and
 * uses `node:fs` directly: it runs once, before the store answers anything.
 */
import * as fs from "node:fs";

export interface FileIo {
  /** Opens `path` for appending (created when missing). */
  openAppend(path: string): Promise<number>;
  /** Opens `path` for writing from the start, truncating it (created when missing). */
  openWrite(path: string): Promise<number>;
  /** Writes all of `data` at the end of what was written so far. */
  write(fd: number, data: Uint8Array): Promise<void>;
  /** Flushes the file's data (and the size that makes it readable) to the device: `fdatasync`. */
  datasync(fd: number): Promise<void>;
  /** Flushes the file's data and metadata to the device: `fsync`. */
  fsync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the directory's entries (files created, renamed or removed in it) durable. */
  syncDirectory(path: string): Promise<void>;
}

const done =
  <T>(resolve: (value: T) => void, reject: (error: Error) => void) =>
  (error: Error | null, value: T) =>
    error ? reject(error) : resolve(value);

const openFile = (path: string, flags: string) =>
  new Promise<number>((resolve, reject) => fs.open(path, flags, 0o600, done(resolve, reject)));

async function writeAll(fd: number, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const written = await new Promise<number>((resolve, reject) =>
      fs.write(fd, data, offset, data.length - offset, null, done(resolve, reject)),
    );
    offset += written;
  }
}

const onFd = (op: (fd: number, cb: (error: Error | null) => void) => void) => (fd: number) =>
  new Promise<void>((resolve, reject) => op(fd, (error) => (error ? reject(error) : resolve())));

/** The real file system. */
export const nodeFileIo: FileIo = {
  openAppend: (path) => openFile(path, "a"),
  openWrite: (path) => openFile(path, "w"),
  write: writeAll,
  datasync: onFd(fs.fdatasync),
  fsync: onFd(fs.fsync),
  close: onFd(fs.close),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  async syncDirectory(path) {
    // Windows cannot open a directory to flush it; its file system orders metadata itself.
    if (process.platform === "win32") return;
    const fd = await openFile(path, "r");
    try {
      await onFd(fs.fsync)(fd);
    } finally {
      await onFd(fs.close)(fd);
    }
  },
};

/** The synchronous counterpart of {@link FileIo.syncDirectory}, for opening. */
export function syncDirectorySync(path: string): void {
  if (process.platform === "win32") return;
  const fd = fs.openSync(path, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
