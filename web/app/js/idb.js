// A small promise wrapper around IndexedDB, shared by the page and the
// service worker: the outbox of photos picked offline, and files shared
// from another app until a course is chosen for them.
const NAME = 'snapnote';
export const OUTBOX = 'outbox';
export const SHARED = 'shared';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(OUTBOX, { keyPath: 'key' });
      req.result.createObjectStore(SHARED, { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(store, mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = fn(tx.objectStore(store));
      tx.oncomplete = () => resolve(req?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const put = (store, value) => run(store, 'readwrite', (s) => s.put(value));
export const all = (store) => run(store, 'readonly', (s) => s.getAll());
export const remove = (store, key) => run(store, 'readwrite', (s) => s.delete(key));
export const clearAll = () => Promise.all([OUTBOX, SHARED].map((store) => run(store, 'readwrite', (s) => s.clear())));
