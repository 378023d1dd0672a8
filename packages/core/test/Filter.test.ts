import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Filter from "../src/Filter.js"

const now = 1_700_000_000_000

/** rclone's examples as [pattern, matches, does not match] (docs/content/filtering.md). */
const documented: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
  ["file.jpg", ["file.jpg", "directory/file.jpg"], ["afile.jpg", "directory/afile.jpg"]],
  ["/file.jpg", ["file.jpg"], ["afile.jpg", "directory/file.jpg"]],
  ["*.jpg", ["file.jpg", "dir/file.jpg"], ["file.png", "dir/file.png"]],
  ["/*.jpg", ["file.jpg", "file2.jpg"], ["file.png", "dir/file.jpg"]],
  ["*.{jpg,png}", ["file.jpg", "dir/file.png"], ["file.gif", "dir/file.gif"]],
  ["dir/**", ["dir/anyfile", "subdir/dir/subsubdir/anyfile"], ["file.png", "subdir/file.png"]],
  ["*.t?t", ["file.txt", "dir/file.tzt"], ["file.qxt", "dir/file.png"]],
  ["*.[a-z]", ["file.a", "dir/file.b"], ["file.0", "dir/file.1"]],
  ["*.\\?\\?\\?", ["file.???", "dir/file.???"], ["file.abc", "dir/file.def"]],
  ["*.\\d\\d\\d", ["file.012", "dir/file.345"], ["file.abc", "dir/file.def"]],
  ["*.{{jpe?g}}", ["file.jpeg", "dir/file.jpg"], ["file.png", "dir/file.jpeeg"]],
  // the docs' table also lists dir/file.jpg as a non-match, but rclone's own translation
  // `^(.*\.jpe?g)$` matches it (the same page warns that `.*` in a regexp matches `/`)
  ["/{{.*\\.jpe?g}}", ["file.jpeg", "file.jpg"], ["file.png", "dir/file.png"]],
  ["potato", ["potato"], ["POTATO"]],
  ["h[ae]llo", ["hello", "hallo"], ["hullo"]],
  ["[[:alpha:]]x", ["ax"], ["1x"]],
  ["**.jpg", ["a.jpg", "a/b/c.jpg"], ["a.png"]],
  // the regexp section's own examples
  ["*.{{(?i)jpg}}", ["file.jpg", "file.JPG", "dir/file.Jpg"], ["file.png"]],
  ["{{start[^/]*end\\.jpg}}", ["startXend.jpg", "dir/start-end.jpg"], ["start/end.jpg"]],
  ["{{start.*end\\.jpg}}", ["start/end.jpg"], ["start/end.png"]],
  // `--exclude '*\[{JP,KR,HK}\]*'`
  ["*\\[{JP,KR,HK}\\]*", ["film [JP].mkv", "a/[KR]", "x[HK]y"], ["film [US].mkv", "film JP.mkv"]],
  // `--include "??[^[:punct:]]*"`: the third character is not punctuation
  ["??[^[:punct:]]*", ["abc", "d/xyz.txt"], ["ab.c", "ab-x", "d/ab!"]]
]

/** rclone's filtering.md command examples: the options, then [path, included] pairs. */
const commands: ReadonlyArray<readonly [string, Filter.Options, ReadonlyArray<readonly [string, boolean]>]> = [
  [
    "rclone copy F:\\data\\ F:\\bkp\\ --exclude=/excl/**",
    { exclude: ["/excl/**"] },
    [
      ["excl/123.jpg", false],
      ["excl/456.jpg", false],
      ["incl/document.pdf", true]
    ]
  ],
  [
    "--ignore-case: potato matches POTATO",
    { include: ["potato"], ignoreCase: true },
    [
      ["potato", true],
      ["POTATO", true],
      ["tomato", false]
    ]
  ],
  [
    "--include zaphod.txt does not match Zaphod.txt, unless --ignore-case",
    { include: ["zaphod.txt"] },
    [
      ["zaphod.txt", true],
      ["Zaphod.txt", false]
    ]
  ],
  [
    "--exclude *.bak",
    { exclude: ["*.bak"] },
    [
      ["a.bak", false],
      ["d/b.bak", false],
      ["a.txt", true]
    ]
  ],
  [
    '--exclude "/dir/**"',
    { exclude: ["/dir/**"] },
    [
      ["dir/a", false],
      ["dir/s/b", false],
      ["other/dir/a", true],
      ["top", true]
    ]
  ],
  [
    "--exclude-from exclude-file.txt",
    { excludeFrom: ["# a sample exclude rule file", "*.bak", "file2.jpg"] },
    [
      ["x.bak", false],
      ["file2.jpg", false],
      ["d/file2.jpg", false],
      ["file1.jpg", true]
    ]
  ],
  [
    '--include "*.{png,jpg}"',
    { include: ["*.{png,jpg}"] },
    [
      ["a.png", true],
      ["d/a.jpg", true],
      ["a.gif", false]
    ]
  ],
  [
    'rclone copy /vol1 remote: --include "{A,B}/**"',
    { include: ["{A,B}/**"] },
    [
      ["A/x", true],
      ["B/y/z", true],
      ["C/x", false],
      ["x", false]
    ]
  ],
  [
    "--include-from include-file.txt",
    { includeFrom: ["# a sample include rule file", "*.jpg", "file2.avi"] },
    [
      ["a.jpg", true],
      ["file2.avi", true],
      ["file1.avi", false]
    ]
  ],
  [
    '--filter "- *.bak"',
    { filter: ["- *.bak"] },
    [
      ["a.bak", false],
      ["a.txt", true]
    ]
  ],
  [
    "--filter-from filter-file.txt (the first example)",
    {
      filterFrom: [
        "# a sample filter rule file",
        "- secret*.jpg",
        "+ *.jpg",
        "+ *.png",
        "+ file2.avi",
        "- /dir/Trash/**",
        "+ /dir/**",
        "# exclude everything else",
        "- *"
      ]
    },
    [
      ["a.jpg", true],
      ["d/b.png", true],
      ["secret17.jpg", false],
      ["file2.avi", true],
      ["dir/notes.txt", true],
      ["dir/Trash/old.txt", false],
      ["other.txt", false]
    ]
  ],
  [
    "--filter-from: the alternative without dir rules",
    { filterFrom: ["- secret*.jpg", "+ *.jpg", "+ *.png", "+ file2.avi", "- *"] },
    [
      ["file1.jpg", true],
      ["file3.png", true],
      ["file2.avi", true],
      ["secret17.jpg", false],
      ["file.txt", false]
    ]
  ],
  [
    "--filter-from: `!` clears the rules before it",
    { filterFrom: ["+ *.jpg", "+ *.gif", "!", "+ 42.doc", "- *"] },
    [
      ["42.doc", true],
      ["a.jpg", false],
      ["b.gif", false]
    ]
  ]
]

describe("Filter (rclone's glob rules)", () => {
  it.effect("the documented pattern examples", () =>
    Effect.gen(function* () {
      for (const [pattern, yes, no] of documented) {
        const re = yield* Filter.globToRegExp(pattern)
        for (const p of yes) assert.isTrue(re.test(p), `${pattern} should match ${p}`)
        for (const p of no) assert.isFalse(re.test(p), `${pattern} should not match ${p}`)
      }
    })
  )

  it.effect("the documented command examples", () =>
    Effect.gen(function* () {
      for (const [example, options, cases] of commands) {
        const f = yield* Filter.make(options)
        for (const [path, included] of cases) {
          assert.strictEqual(Filter.includeFile(f, path, 1, now, now), included, `${example}: ${path}`)
        }
      }
      // `--min-size 50k`, `--max-size 1G`, `--max-age 2d`, `--min-age 2d`
      const day = 86_400_000
      const big = yield* Filter.make({ minSize: 50 * 1024 })
      assert.isFalse(Filter.includeFile(big, "a", 50 * 1024 - 1, now, now))
      assert.isTrue(Filter.includeFile(big, "a", 50 * 1024, now, now))
      const small = yield* Filter.make({ maxSize: 1024 ** 3 })
      assert.isTrue(Filter.includeFile(small, "a", 1024 ** 3, now, now))
      assert.isFalse(Filter.includeFile(small, "a", 1024 ** 3 + 1, now, now))
      const young = yield* Filter.make({ maxAgeMs: 2 * day })
      assert.isTrue(Filter.includeFile(young, "a", 1, now - 2 * day + 1, now))
      assert.isFalse(Filter.includeFile(young, "a", 1, now - 3 * day, now))
      const old = yield* Filter.make({ minAgeMs: 2 * day })
      assert.isTrue(Filter.includeFile(old, "a", 1, now - 3 * day, now))
      assert.isFalse(Filter.includeFile(old, "a", 1, now - day, now))
      // `{dir1/**,dir2/**}` cannot imply folder rules, `--include dir1/** --include dir2/**` can
      const list = yield* Filter.make({ include: ["{dir1/**,dir2/**}"] })
      assert.isTrue(Filter.includeDir(list, "dir3"))
      assert.isFalse(Filter.includeFile(list, "dir3/x", 1, now, now))
      const split = yield* Filter.make({ include: ["dir1/**", "dir2/**"] })
      assert.isFalse(Filter.includeDir(split, "dir3"))
      assert.isTrue(Filter.includeDir(split, "dir1"))
    })
  )

  it.effect("--include implies '- **'; first matching rule wins; --filter '!' clears", () =>
    Effect.gen(function* () {
      const inc = yield* Filter.make({ include: ["*.jpg"] })
      assert.isTrue(Filter.includeFile(inc, "a/b.jpg", 1, now, now))
      assert.isFalse(Filter.includeFile(inc, "a/b.png", 1, now, now))
      const exc = yield* Filter.make({ exclude: ["*.bak", "/dir/**"] })
      assert.isFalse(Filter.includeFile(exc, "x.bak", 1, now, now))
      assert.isFalse(Filter.includeFile(exc, "dir/a/b", 1, now, now))
      assert.isTrue(Filter.includeFile(exc, "other/dir/a", 1, now, now))
      const order = yield* Filter.make({ filter: ["+ keep.bak", "- *.bak"] })
      assert.isTrue(Filter.includeFile(order, "keep.bak", 1, now, now))
      assert.isFalse(Filter.includeFile(order, "drop.bak", 1, now, now))
      const cleared = yield* Filter.make({ filter: ["- *", "!", "+ x"] })
      assert.isTrue(Filter.includeFile(cleared, "y", 1, now, now))
      const bad = yield* Effect.flip(Filter.make({ filter: ["* nope"] }))
      assert.match(bad.message, /malformed rule/)
      const unbalanced = yield* Effect.flip(Filter.make({ include: ["{a,b"] }))
      assert.match(unbalanced.message, /mismatched/)
    })
  )

  it.effect("the documented --filter-from example: excluded folders are not descended, only pdfs listed", () =>
    Effect.gen(function* () {
      const f = yield* Filter.make({ filterFrom: ["# comment", "- /dir1/", "- /dir2/", "+ *.pdf", "- **", ""] })
      assert.isFalse(Filter.includeDir(f, "dir1"))
      assert.isFalse(Filter.includeDir(f, "dir2"))
      assert.isTrue(Filter.includeDir(f, "dir3"))
      assert.isTrue(Filter.includeFile(f, "dir3/x.pdf", 1, now, now))
      assert.isTrue(Filter.includeFile(f, "x.pdf", 1, now, now))
      assert.isFalse(Filter.includeFile(f, "x.txt", 1, now, now))
      // `--include /a/*.jpg` implies the folder rule `/a/`: nothing else is looked into
      const a = yield* Filter.make({ include: ["/a/*.jpg"] })
      assert.isTrue(Filter.includeDir(a, "a"))
      assert.isFalse(Filter.includeDir(a, "b"))
      assert.isFalse(Filter.includeDir(a, "a/deeper"))
      // `--include /directory/` matches no file but limits the folders looked into
      const d = yield* Filter.make({ include: ["/directory/"] })
      assert.isTrue(Filter.includeDir(d, "directory"))
      assert.isFalse(Filter.includeFile(d, "directory/x", 1, now, now))
    })
  )

  it.effect("size and age limits", () =>
    Effect.gen(function* () {
      const f = yield* Filter.make({ minSize: 10, maxSize: 100, maxAgeMs: 3_600_000, minAgeMs: 60_000 })
      assert.isFalse(Filter.includeFile(f, "a", 9, now - 120_000, now))
      assert.isFalse(Filter.includeFile(f, "a", 101, now - 120_000, now))
      assert.isTrue(Filter.includeFile(f, "a", 50, now - 120_000, now))
      assert.isFalse(Filter.includeFile(f, "a", 50, now - 7_200_000, now))
      assert.isFalse(Filter.includeFile(f, "a", 50, now - 1000, now))
    })
  )
  it.effect(
    "--files-from: only the listed paths and the folders on the way; comments skipped; raw lines as they are",
    () =>
      Effect.gen(function* () {
        const f = yield* Filter.make({
          filesFrom: ["# comment", "; comment", "", "  a.txt  ", "/d/e/c.txt", "missing.txt", "d"],
          filesFromRaw: ["  raw.txt", "# kept"]
        })
        assert.isTrue(f.compiled.active)
        for (const p of ["a.txt", "d/e/c.txt", "missing.txt", "  raw.txt", "# kept", "d"]) {
          assert.isTrue(Filter.includeFile(f, p, 0, undefined, now), p)
        }
        for (const p of ["b.txt", "d/c.txt", "raw.txt", "comment", "# comment"]) {
          assert.isFalse(Filter.includeFile(f, p, 0, undefined, now), p)
        }
        assert.deepStrictEqual(
          ["d", "d/e", "skip", "d/e/c.txt", "a.txt"].map((d) => Filter.includeDir(f, d)),
          [true, true, false, false, false]
        )
        // an empty list still filters: nothing passes
        const none = yield* Filter.make({ filesFrom: [] })
        assert.isTrue(none.compiled.active)
        assert.isFalse(Filter.includeFile(none, "a.txt", 0, undefined, now))
        // --max-depth goes with it; every other filter is refused, with rclone's words
        yield* Filter.make({ filesFrom: ["a"], maxDepth: 1 })
        for (const other of [
          { include: ["*.txt"] },
          { minSize: 1 },
          { maxAgeMs: 1000 },
          { excludeIfPresent: [".ignore"] }
        ]) {
          const e = yield* Effect.flip(Filter.make({ filesFrom: ["a"], ...other }))
          assert.strictEqual(
            e.message,
            "the usage of --files-from overrides all other filters, it should be used alone or with --files-from-raw"
          )
        }
        const raw = yield* Effect.flip(Filter.make({ filesFromRaw: ["a"], exclude: ["b"] }))
        assert.match(raw.message, /^the usage of --files-from-raw overrides all other filters/)
      })
  )

  it.effect("--exclude-if-present makes the filter active without rules", () =>
    Effect.gen(function* () {
      const f = yield* Filter.make({ excludeIfPresent: [".ignore"] })
      assert.isTrue(f.compiled.active)
      assert.isTrue(Filter.includeFile(f, "a/b.txt", 0, undefined, now))
      assert.isTrue(Filter.includeDir(f, "a"))
    })
  )
})
