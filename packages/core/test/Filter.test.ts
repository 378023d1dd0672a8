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
  ["**.jpg", ["a.jpg", "a/b/c.jpg"], ["a.png"]]
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
})
