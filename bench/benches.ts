/** The benchmark modules `npm run bench` knows about. */
export interface BenchModule {
  readonly run: () => unknown
}

export interface Bench {
  readonly name: string
  readonly description: string
  readonly load: () => Promise<BenchModule>
}

export const benches: ReadonlyArray<Bench> = []
