// ds-reference.mjs — starts the Durable Streams Node reference server (@durable-streams/server)
// for benchmarks P5 and P5S (benchmarks/run), file-backed unless told otherwise.
//
//   node ds-reference.mjs PORT DATA_DIR INSTALL_DIR [MAX_FILE_HANDLES]
//
// INSTALL_DIR holds node_modules/@durable-streams/server (npm install --prefix INSTALL_DIR
// @durable-streams/server@0.3.7). With a DATA_DIR the server is file-backed: each stream is a
// log file plus metadata in LMDB, and an append is answered after the log file's fdatasync and
// the LMDB update. DATA_DIR "-" starts the in-memory store instead (nothing on disk).
//
// MAX_FILE_HANDLES: the file-backed store keeps at most this many streams' log files open
// (FileBackedStreamStoreOptions.maxFileHandles, default 100). DurableStreamTestServer does not
// pass that option on, so with a number here this script builds the FileBackedStreamStore
// itself and puts it in the server's place before start(). Needed for appends spread over more
// streams than that: in 0.3.7 a handle evicted between an append's write and its fdatasync
// fails the append ("Cannot fsync: handle not found", which the server answers 404 "Stream not
// found"), so with 1,000 streams and 64 connections most appends fail at the default.
// Prints one line "DSREF listening URL version=V store=file:DIR|memory node=V" once it listens;
// SIGTERM or SIGINT stops it (server.stop(): closes the streams and the store) and exits 0.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [port, dataDir, installDir, maxFileHandles] = process.argv.slice(2)
if (!port || !dataDir || !installDir) {
  console.error('usage: node ds-reference.mjs PORT DATA_DIR INSTALL_DIR [MAX_FILE_HANDLES]')
  process.exit(2)
}
const pkgDir = join(resolve(installDir), 'node_modules', '@durable-streams', 'server')
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version
const { DurableStreamTestServer, FileBackedStreamStore } = await import(
  pathToFileURL(join(pkgDir, 'dist', 'index.js')).href
)

const memory = dataDir === '-'
const handles = memory || !maxFileHandles ? undefined : Number(maxFileHandles)
let server
if (handles === undefined) {
  server = new DurableStreamTestServer({
    port: Number(port),
    host: '127.0.0.1',
    ...(memory ? {} : { dataDir: resolve(dataDir) }),
  })
} else {
  // what the constructor does with dataDir, plus maxFileHandles (its in-memory store is unused)
  server = new DurableStreamTestServer({ port: Number(port), host: '127.0.0.1' })
  server.store = new FileBackedStreamStore({ dataDir: resolve(dataDir), maxFileHandles: handles })
}
const url = await server.start()
const store = memory ? 'memory' : `file:${resolve(dataDir)} max_file_handles=${handles ?? 'default'}`
console.log(`DSREF listening ${url} version=${version} store=${store} node=${process.version}`)

let stopping = false
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, async () => {
    if (stopping) return
    stopping = true
    try {
      await server.stop()
    } catch (err) {
      console.error('DSREF stop failed:', err)
      process.exit(1)
    }
    process.exit(0)
  })
}
