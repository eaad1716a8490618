/**
 * The files of a drop: plain files, and the files inside dropped folders
 * (walked through the File System entries API), so a whole converted model
 * folder can be dropped at once.
 */

type Entry = FileSystemEntry;

function readAll(reader: FileSystemDirectoryReader): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const all: Entry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function filesOf(entry: Entry): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  }
  if (entry.isDirectory) {
    const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
    return (await Promise.all(children.map(filesOf))).flat();
  }
  return [];
}

/** Every file in the drop, folders walked (one level of folders is usual for a converted model, any depth works). */
export async function droppedFiles(data: DataTransfer): Promise<File[]> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() ?? null : null))
    .filter((e): e is Entry => e !== null);
  if (entries.length === 0) return Array.from(data.files);
  return (await Promise.all(entries.map(filesOf))).flat();
}
