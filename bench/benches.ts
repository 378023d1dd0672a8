/** The benchmark modules `npm run bench` knows about. */
export interface BenchModule {
  readonly run: () => unknown
}

export interface Bench {
  readonly name: string
  readonly description: string
  readonly load: () => Promise<BenchModule>
}

export const benches: ReadonlyArray<Bench> = [
  {
    name: "liststream",
    description: "100k-entry liststream: ListStream.decode vs a bare saxes parse of the same bytes",
    load: () => import("../packages/core/bench/liststream.bench.js")
  },
  {
    name: "request-overhead",
    description:
      "SDK Files.stat over NodeHttpClient vs a raw node:http request of the same URL (and over UndiciHttpClient and the platform clients vs raw undici / fetch), against the emulator",
    load: () => import("../packages/core/bench/request-overhead.bench.js")
  },
  {
    name: "emulator",
    description: "emulator 1 GiB upload/download vs raw node:http sink/source; 100k liststream peak RSS",
    load: () => import("../packages/emulator/bench/emulator.bench.js")
  },
  {
    name: "transfer",
    description: "Transfer engine upload/download vs MD5 + raw POST / raw GET; 100k-file plan + sync peak RSS",
    load: () => import("../packages/node/bench/transfer.bench.js")
  },
  {
    name: "serve",
    description:
      "fjord serve webdav: 1 GiB PUT and GET through the server vs the direct transfer (Transfer engine), peak RSS",
    load: () => import("../packages/serve/bench/serve.bench.js")
  },
  {
    name: "md5",
    description:
      "NodeContentHasher and WebContentHasher (hash-wasm) over a file vs node:crypto over fs.createReadStream",
    load: () => import("./md5.bench.js")
  }
]
