/**
 * The `fjord` command line: rclone-like commands on top of the SDK. Cloud paths are written
 * `jotta:Folder/file.txt` (relative to the device and mountpoint, `Jotta/Archive` by default);
 * other paths are local.
 *
 * `run(args)` is the whole program as an Effect (tests run it in-process); `bin.ts` runs it
 * with `NodeRuntime.runMain`.
 *
 * @since 0.1.0
 */
import { Args, Command, Options, Prompt, ValidationError } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Terminal from "@effect/platform/Terminal"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import * as Legacy from "@fjord/auth/Legacy"
import * as LoginToken from "@fjord/auth/LoginToken"
import * as SavedToken from "@fjord/auth/SavedToken"
import * as TokenStore from "@fjord/auth/TokenStore"
import * as TwoFactorPrompt from "@fjord/auth/TwoFactorPrompt"
import * as WhiteLabel from "@fjord/auth/WhiteLabel"
import * as Account from "@fjord/core/Account"
import { AuthError } from "@fjord/core/Auth"
import * as Files from "@fjord/core/Files"
import * as NodeJotta from "@fjord/node/NodeJotta"
import * as NodeRedirectCatcher from "@fjord/node/NodeRedirectCatcher"
import * as NodeTokenStore from "@fjord/node/NodeTokenStore"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ConfigCommand from "./commands/config.js"
import * as Serve from "./commands/serve.js"
import * as Transfer from "./commands/transfer.js"
import * as Format from "./internal/format.js"
import * as GlobalArgs from "./internal/globalArgs.js"
import * as Sdk from "./internal/sdk.js"
import * as Settings from "./internal/settings.js"
import { Output } from "./Output.js"
import * as RemotePath from "./RemotePath.js"
import * as Version from "./version.js"

// ---------------------------------------------------------------------------------------------
// options shared by every command

const globals = {
  config: Options.text("config").pipe(
    Options.withDescription(
      "The config file of named remotes, rclone's format (default $FJORD_CONFIG or fjord.conf in the config directory)"
    ),
    Options.withFallbackConfig(Config.string("FJORD_CONFIG")),
    Options.optional
  ),
  configDir: Options.text("config-dir").pipe(
    Options.withDescription("Directory of the token and settings (default $FJORD_CONFIG_DIR or ~/.config/fjord)"),
    Options.optional
  ),
  endpoint: Options.text("endpoint").pipe(
    Options.withDescription("Base URL of the service (an emulator's URL); saved by `login`"),
    Options.optional
  ),
  device: Options.text("device").pipe(Options.withDescription("Device (default Jotta)"), Options.optional),
  mountpoint: Options.text("mountpoint").pipe(
    Options.withDescription("Mountpoint (default Archive)"),
    Options.optional
  ),
  hardDelete: Options.boolean("hard-delete").pipe(
    Options.withDescription("Delete for good instead of moving to trash")
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Machine-readable JSON output"))
}

const remoteArg = (name: string) =>
  Args.text({ name }).pipe(Args.withDescription("A cloud path, jotta:path (the jotta: prefix is optional here)"))

/** `remote:` of the commands about a whole account (rclone's `about remote:`); default `jotta:`. */
const remoteOnlyArg = Args.text({ name: "remote:" }).pipe(
  Args.withDescription("The remote (default jotta:, the remote of fjord login)"),
  Args.withDefault("jotta:")
)

const optionalRemoteArg = (name: string) => remoteArg(name).pipe(Args.withDefault("jotta:"))

/** A path argument of a cloud-only command: `jotta:x` or plain `x`. */
const remotePath = (arg: string): string => {
  const loc = RemotePath.parse(arg)
  return loc._tag === "Remote" ? loc.path : RemotePath.normalize(loc.path)
}

/** The remote a cloud-only command's path argument names (`jotta` when it names none). */
const remoteOf = (arg: string): string => {
  const loc = RemotePath.parse(arg)
  return loc._tag === "Remote" ? loc.remote : RemotePath.remoteName
}

const out = (text: string) => Effect.flatMap(Output, (o) => o.line(text))
const json = (value: unknown) => out(JSON.stringify(value))

const time = (t: Option.Option<DateTime.Utc>): Date | undefined =>
  Option.getOrUndefined(Option.map(t, DateTime.toDateUtc))
const iso = (t: Option.Option<DateTime.Utc>): string | null =>
  Option.getOrNull(Option.map(t, (d) => DateTime.formatIso(d)))

const relativeTo = (base: string, path: string): string =>
  base === "" ? path : path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path === base ? "" : path

const entryJson = (base: string, e: Files.Entry) =>
  e._tag === "File"
    ? {
        Path: relativeTo(base, e.path),
        Name: e.name,
        Size: e.size,
        MimeType: e.contentType ?? null,
        ModTime: iso(e.modified),
        IsDir: false,
        Hashes: { md5: e.md5 ?? null }
      }
    : { Path: relativeTo(base, e.path), Name: e.name, Size: -1, ModTime: iso(e.modified), IsDir: true }

/** The files below `path` (recursive); a file path yields that file. */
const walkFiles = (path: string): Stream.Stream<Files.FileInfo, unknown, Files.Files> =>
  Stream.unwrap(
    Effect.map(Files.Files, (files) =>
      files.listRecursive(path).pipe(
        Stream.filterMap((e) => (e._tag === "File" ? Option.some(e) : Option.none())),
        Stream.catchTags({
          NotAFile: () => Stream.fromEffect(files.stat(path)),
          NotFound: (e) =>
            Stream.fromEffect(
              files.stat(path).pipe(
                Effect.catchTag("NotFound", () => Effect.fail(e)),
                Effect.catchTag("IsADirectory", () => Effect.fail(e))
              )
            )
        })
      )
    )
  )

const displayBase = (path: string, single: Files.FileInfo) => (single.path === path ? RemotePath.dirname(path) : path)

// ---------------------------------------------------------------------------------------------
// commands

const login = Command.make(
  "login",
  {
    ...globals,
    loginToken: Options.redacted("login-token").pipe(
      Options.withDescription("A personal login token (web UI → Settings → Security); or $FJORD_LOGIN_TOKEN"),
      Options.withFallbackConfig(Config.redacted("FJORD_LOGIN_TOKEN")),
      Options.optional
    ),
    emulator: Options.boolean("emulator").pipe(
      Options.withDescription("Log in to the emulator started by `fjord emulator` with the same --config-dir")
    ),
    service: Options.choice("service", Object.keys(WhiteLabel.services) as Array<WhiteLabel.ServiceKey>).pipe(
      Options.withDescription(
        "Log in through the browser (authorization code) to a white-label service: telia_se, elkjop, …"
      ),
      Options.optional
    ),
    username: Options.text("username").pipe(
      Options.withDescription("Legacy login: user name or e-mail (with --password, or $FJORD_PASSWORD)"),
      Options.optional
    ),
    password: Options.redacted("password").pipe(
      Options.withFallbackConfig(Config.redacted("FJORD_PASSWORD")),
      Options.withDescription("Legacy login: the password"),
      Options.optional
    ),
    otp: Options.redacted("otp").pipe(
      Options.withDescription("Legacy login: the SMS code for two-factor accounts (asked for when missing)"),
      Options.optional
    ),
    rcloneConfig: Options.text("rclone-config").pipe(
      Options.withDescription("Import the token of a jottacloud remote from this rclone.conf (with --rclone-remote)"),
      Options.optional
    ),
    rcloneRemote: Options.text("rclone-remote").pipe(
      Options.withDescription("The remote's name in the rclone configuration"),
      Options.optional
    ),
    registerDevice: Options.boolean("register-device").pipe(
      Options.withDescription("Legacy login: register this machine for its own client id")
    ),
    redirectPort: Options.integer("redirect-port").pipe(
      Options.withDescription("Local port for the browser login's redirect (rclone's 53682)"),
      Options.withDefault(NodeRedirectCatcher.defaultPort)
    )
  },
  (a) =>
    Effect.gen(function* () {
      const dir = Settings.configDir(a.configDir)
      let endpoint = Option.getOrUndefined(a.endpoint)
      let token: Redacted.Redacted<string> | undefined
      if (a.emulator) {
        const info = yield* Settings.readEmulatorInfo(dir)
        if (Option.isNone(info)) {
          return yield* new Sdk.UsageError({
            description: `no emulator found in ${dir}: start one with \`fjord emulator --config-dir ${dir}\``
          })
        }
        endpoint = endpoint ?? info.value.url
        token = Redacted.make(info.value.loginToken)
      }
      if (Option.isSome(a.loginToken)) token = a.loginToken.value
      /** `<endpoint>/<part>` when an endpoint is given. */
      const atEndpoint = (part: string) =>
        endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, "")}/${part}`
      const apiUrl = () => {
        const url = atEndpoint("api/")
        return url === undefined ? {} : { apiUrl: url }
      }
      let imported: TokenStore.StoredToken | undefined
      let rcloneSection: Readonly<Record<string, string>> = {}
      if (Option.isSome(a.rcloneConfig)) {
        if (Option.isNone(a.rcloneRemote)) {
          return yield* new Sdk.UsageError({ description: "--rclone-config needs --rclone-remote <name>" })
        }
        const text = yield* (yield* FileSystem.FileSystem).readFileString(a.rcloneConfig.value)
        rcloneSection = SavedToken.parseRcloneConfig(text)[a.rcloneRemote.value] ?? {}
        imported = yield* SavedToken.fromRcloneConfig(text, a.rcloneRemote.value, apiUrl())
      }
      if (token === undefined && imported === undefined && Option.isNone(a.service) && Option.isNone(a.username)) {
        return yield* new Sdk.UsageError({
          description:
            "give --login-token <token> (or set FJORD_LOGIN_TOKEN), --service <name>, --username <name>, --rclone-config <file> or --emulator"
        })
      }
      const saved = yield* Settings.readSettings(dir)
      const fromRclone = (key: "device" | "mountpoint") => {
        const v = rcloneSection[key]
        return v === undefined || v === "" ? undefined : v
      }
      const device = Option.getOrUndefined(a.device) ?? fromRclone("device") ?? saved.device
      const mountpoint = Option.getOrUndefined(a.mountpoint) ?? fromRclone("mountpoint") ?? saved.mountpoint
      const settings = new Settings.Settings({
        ...((endpoint ?? saved.endpoint) === undefined ? {} : { endpoint: endpoint ?? saved.endpoint }),
        ...(device === undefined ? {} : { device }),
        ...(mountpoint === undefined ? {} : { mountpoint })
      })
      const tokenFile = Settings.tokenFile(dir)
      const output = yield* Output
      const service = Option.getOrUndefined(a.service)
      const username = Option.getOrUndefined(a.username)
      const terminal = yield* Terminal.Terminal
      const legacy = (name: string) =>
        Effect.gen(function* () {
          if (Option.isNone(a.password)) {
            return yield* new Sdk.UsageError({ description: "--username needs --password (or $FJORD_PASSWORD)" })
          }
          const stored = yield* Legacy.login({
            username: name,
            password: a.password.value,
            ...apiUrl(),
            ...(a.registerDevice ? { registerDevice: true } : {})
          })
          yield* (yield* TokenStore.TokenStore).set(stored)
        }).pipe(
          Effect.provide(
            Option.isSome(a.otp)
              ? TwoFactorPrompt.layerStatic(a.otp.value)
              : Layer.succeed(
                  TwoFactorPrompt.TwoFactorPrompt,
                  TwoFactorPrompt.TwoFactorPrompt.of({
                    code: Prompt.password({ message: "SMS code sent to your phone" }).pipe(
                      Effect.mapError(
                        () =>
                          new AuthError({
                            reason: "TwoFactorRequired",
                            operation: "fjord login",
                            description: "this account needs the SMS code: pass --otp <code>"
                          })
                      ),
                      Effect.provideService(Terminal.Terminal, terminal)
                    )
                  })
                )
          )
        )
      const login: Effect.Effect<
        void,
        AuthError | TokenStore.TokenStoreError | Sdk.UsageError | NodeRedirectCatcher.RedirectCatcherError,
        TokenStore.TokenStore | HttpClient.HttpClient
      > =
        imported !== undefined
          ? Effect.flatMap(TokenStore.TokenStore, (store) => store.set(imported))
          : username !== undefined
            ? legacy(username)
            : service !== undefined
              ? Effect.gen(function* () {
                  const stored = yield* WhiteLabel.login({
                    service,
                    identityBase: atEndpoint("id")
                  })
                  yield* (yield* TokenStore.TokenStore).set(stored)
                }).pipe(
                  Effect.provide(
                    NodeRedirectCatcher.layer({
                      port: a.redirectPort,
                      onAuthorizationUrl: (url) => output.error(`Open this URL in your browser to log in:\n  ${url}`)
                    })
                  )
                )
              : LoginToken.login(token ?? Redacted.make("")).pipe(Effect.asVoid)
      yield* login.pipe(Effect.provide(Layer.merge(NodeTokenStore.layer(tokenFile), NodeJotta.layer)))
      yield* Settings.writeSettings(dir, settings)
      const customer = yield* Effect.flatMap(Account.Account, (account) => account.userInfo()).pipe(
        Sdk.withSdk({ ...a, configDir: Option.some(dir), endpoint: Option.fromNullable(endpoint) })
      )
      if (imported !== undefined && !a.json) {
        yield* out(
          "Imported the rclone remote's token. fjord now rotates it: stop using that rclone remote (or reconnect it with a new login token), or the two will stale each other."
        )
      }
      if (a.json) yield* json({ username: customer.username, email: customer.email ?? null, tokenFile })
      else yield* out(`Logged in as ${customer.email ?? customer.username}; token saved to ${tokenFile}`)
    })
).pipe(
  Command.withDescription(
    "Log in (personal login token, white-label browser login, or the emulator) and save the token"
  )
)

const logout = Command.make("logout", globals, (g) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = Settings.configDir(g.configDir)
    const file = Settings.tokenFile(dir)
    if (!(yield* fs.exists(file))) return yield* out(`Not logged in (no token in ${dir})`)
    yield* fs.remove(file)
    yield* out(`Logged out: removed ${file}`)
  })
).pipe(Command.withDescription("Forget the saved token (the settings stay)"))

const about = Command.make("about", { ...globals, remote: remoteOnlyArg }, (g) =>
  Effect.gen(function* () {
    const a = yield* (yield* Account.Account).about()
    if (g.json) return yield* json({ total: a.total ?? null, used: a.used, free: a.free ?? null })
    yield* out(`Total:   ${a.total === undefined ? "unlimited" : Format.human(a.total)}`)
    yield* out(`Used:    ${Format.human(a.used)}`)
    yield* out(`Free:    ${a.free === undefined ? "unlimited" : Format.human(a.free)}`)
  }).pipe(Sdk.withSdk(g, remoteOf(g.remote)))
).pipe(Command.withDescription("Quota: total, used and free space"))

const userinfo = Command.make("userinfo", { ...globals, remote: remoteOnlyArg }, (g) =>
  Effect.gen(function* () {
    const c = yield* (yield* Account.Account).userInfo()
    if (g.json) return yield* json({ ...c })
    yield* out(`Username:      ${c.username}`)
    if (c.email !== undefined) yield* out(`Email:         ${c.email}`)
    if (c.name !== undefined) yield* out(`Name:          ${c.name}`)
    if (c.accountType !== undefined) yield* out(`Account type:  ${c.accountType}`)
    if (c.subscriptionType !== undefined) yield* out(`Subscription:  ${c.subscriptionType}`)
    if (c.usage !== undefined) yield* out(`Usage:         ${Format.human(c.usage)}`)
    if (c.quota !== undefined) yield* out(`Quota:         ${c.quota < 0 ? "unlimited" : Format.human(c.quota)}`)
  }).pipe(Sdk.withSdk(g, remoteOf(g.remote)))
).pipe(Command.withDescription("The account's user information"))

const listFilesCommand = (name: "ls" | "lsl" | "md5sum", description: string) =>
  Command.make(name, { ...globals, path: optionalRemoteArg("path") }, (a) =>
    Effect.gen(function* () {
      const base = remotePath(a.path)
      const all: Array<unknown> = []
      yield* Stream.runForEach(walkFiles(base), (f) => {
        const rel = relativeTo(displayBase(base, f), f.path)
        if (a.json) return Effect.sync(() => void all.push(entryJson(displayBase(base, f), f)))
        switch (name) {
          case "ls":
            return out(`${Format.padSize(f.size)} ${rel}`)
          case "lsl":
            return out(`${Format.padSize(f.size)} ${Format.lslTime(time(f.modified))} ${rel}`)
          case "md5sum":
            return out(`${f.md5 ?? "                                "}  ${rel}`)
        }
      })
      if (a.json) yield* json(all)
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
  ).pipe(Command.withDescription(description))

const ls = listFilesCommand("ls", "List the files below a path (recursive): size and path")
const lsl = listFilesCommand("lsl", "List the files below a path (recursive): size, modification time and path")
const md5sum = listFilesCommand("md5sum", "MD5 of every file below a path, in md5sum format")

const lsd = Command.make("lsd", { ...globals, path: optionalRemoteArg("path") }, (a) =>
  Effect.gen(function* () {
    const base = remotePath(a.path)
    const entries = (yield* (yield* Files.Files).list(base)).filter((e) => e._tag === "Folder")
    if (a.json) return yield* json(entries.map((e) => entryJson(base, e)))
    for (const e of entries)
      yield* out(`${Format.padSize(-1, 12)} ${Format.lsdTime(time(e.modified))} ${Format.padSize(-1)} ${e.name}`)
  }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("List the folders in a path"))

/** The entries in `base`, or (recursive) every entry below it. */
const listEntries = (base: string, recursive: boolean) =>
  Effect.flatMap(Files.Files, (files) =>
    recursive
      ? Stream.runCollect(files.listRecursive(base)).pipe(Effect.map((c): ReadonlyArray<Files.Entry> => Array.from(c)))
      : files.list(base)
  )

const lsf = Command.make(
  "lsf",
  {
    ...globals,
    recursive: Options.boolean("recursive").pipe(Options.withAlias("R"), Options.withDescription("Recurse")),
    path: optionalRemoteArg("path")
  },
  (a) =>
    Effect.gen(function* () {
      const base = remotePath(a.path)
      const entries = yield* listEntries(base, a.recursive)
      if (a.json) return yield* json(entries.map((e) => entryJson(base, e)))
      for (const e of entries) yield* out(`${relativeTo(base, e.path)}${e._tag === "Folder" ? "/" : ""}`)
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("List names in a path, folders with a trailing /"))

const lsjson = Command.make(
  "lsjson",
  {
    ...globals,
    recursive: Options.boolean("recursive").pipe(
      Options.withAlias("R"),
      Options.withDescription("Recurse into the listing")
    ),
    hash: Options.boolean("hash").pipe(Options.withDescription("Include the MD5 hash of each file (Hashes.md5)")),
    filesOnly: Options.boolean("files-only").pipe(Options.withDescription("Show only files")),
    dirsOnly: Options.boolean("dirs-only").pipe(Options.withDescription("Show only directories")),
    noModtime: Options.boolean("no-modtime").pipe(Options.withDescription("Leave out the modification time")),
    path: optionalRemoteArg("path")
  },
  (a) =>
    Effect.gen(function* () {
      const base = remotePath(a.path)
      const entries = yield* listEntries(base, a.recursive)
      const shown = entries.filter((e) => (e._tag === "File" ? !a.dirsOnly : !a.filesOnly))
      // rclone's lsjson item: Path, Name, Size (-1 for folders), MimeType, ModTime (RFC 3339),
      // IsDir, and Hashes only with --hash
      yield* json(
        shown.map((e) => ({
          Path: relativeTo(base, e.path),
          Name: e.name,
          Size: e._tag === "File" ? e.size : -1,
          MimeType: e._tag === "File" ? (e.contentType ?? "application/octet-stream") : "inode/directory",
          ...(a.noModtime ? {} : { ModTime: iso(e.modified) }),
          IsDir: e._tag === "Folder",
          ...(a.hash && e._tag === "File" && e.md5 !== undefined ? { Hashes: { md5: e.md5 } } : {})
        }))
      )
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("List the entries in a path as JSON, in rclone lsjson's shape"))

const size = Command.make("size", { ...globals, path: optionalRemoteArg("path") }, (a) =>
  Effect.gen(function* () {
    let count = 0
    let bytes = 0
    yield* Stream.runForEach(walkFiles(remotePath(a.path)), (f) =>
      Effect.sync(() => {
        count++
        bytes += f.size
      })
    )
    if (a.json) return yield* json({ count, bytes, sizeless: 0 })
    yield* out(`Total objects: ${count} (${count})`)
    yield* out(`Total size: ${Format.human(bytes)} (${bytes} Byte)`)
  }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("The number of files below a path and their total size"))

interface TreeNode {
  readonly children: Map<string, TreeNode>
  file?: Files.FileInfo
}

const treeCommand = (name: "tree" | "lsr") =>
  Command.make(name, { ...globals, path: optionalRemoteArg("path") }, (a) =>
    Effect.gen(function* () {
      const base = remotePath(a.path)
      const root: TreeNode = { children: new Map() }
      let dirs = 0
      let fileCount = 0
      const all: Array<unknown> = []
      yield* Stream.runForEach((yield* Files.Files).listRecursive(base), (e) =>
        Effect.sync(() => {
          if (a.json) all.push(entryJson(base, e))
          const parts = relativeTo(base, e.path)
            .split("/")
            .filter((p) => p !== "")
          let node = root
          for (const p of parts) {
            let next = node.children.get(p)
            if (next === undefined) {
              next = { children: new Map() }
              node.children.set(p, next)
            }
            node = next
          }
          if (e._tag === "File") {
            node.file = e
            fileCount++
          } else dirs++
        })
      )
      if (a.json) return yield* json(all)
      if (name === "lsr") {
        const walk = (node: TreeNode, prefix: string): Array<string> =>
          [...node.children.entries()]
            .sort(([x], [y]) => x.localeCompare(y))
            .flatMap(([n, child]) => [
              `${prefix}${n}${child.file === undefined ? "/" : ""}`,
              ...walk(child, `${prefix}${n}/`)
            ])
        for (const line of walk(root, "")) yield* out(line)
        return
      }
      const lines: Array<string> = [`/${base}`]
      const walk = (node: TreeNode, indent: string) => {
        const kids = [...node.children.entries()].sort(([x], [y]) => x.localeCompare(y))
        kids.forEach(([n, child], i) => {
          const last = i === kids.length - 1
          lines.push(`${indent}${last ? "└── " : "├── "}${n}`)
          walk(child, `${indent}${last ? "    " : "│   "}`)
        })
      }
      walk(root, "")
      lines.push("", `${dirs} directories, ${fileCount} files`)
      for (const line of lines) yield* out(line)
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
  ).pipe(
    Command.withDescription(
      name === "tree"
        ? "Show the tree below a path (one liststream request)"
        : "List every path below a path, folders with a trailing /"
    )
  )

const tree = treeCommand("tree")
const lsr = treeCommand("lsr")

/** A command that applies one `Files` operation to a cloud path and prints nothing. */
const pathCommand = <Name extends string, E>(
  name: Name,
  description: string,
  op: (files: Files.Service, path: string) => Effect.Effect<unknown, E>
) =>
  Command.make(name, { ...globals, path: remoteArg("path") }, (a) =>
    Effect.flatMap(Files.Files, (files) => op(files, remotePath(a.path))).pipe(
      Effect.asVoid,
      Sdk.withSdk(a, remoteOf(a.path))
    )
  ).pipe(Command.withDescription(description))

const mkdir = pathCommand("mkdir", "Create a folder (and its parents)", (files, path) => files.mkdir(path))

const revisionOption = Options.integer("revision").pipe(
  Options.withDescription("An older revision of the file (see `fjord revisions`)"),
  Options.optional
)

const cat = Command.make("cat", { ...globals, revision: revisionOption, path: remoteArg("path") }, (a) =>
  Effect.gen(function* () {
    const output = yield* Output
    const files = yield* Files.Files
    const p = remotePath(a.path)
    const content = Option.isSome(a.revision) ? files.downloadRevision(p, a.revision.value) : files.download(p)
    yield* Stream.runForEach(content, output.bytes)
  }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("Write a file's content (or an older revision's) to stdout"))

const isDirectoryError = (e: { readonly _tag: string }) => e._tag === "IsADirectory" || e._tag === "NotAFile"

const deleteCommand = (name: "delete" | "rm" | "deletefile") =>
  Command.make(name, { ...globals, path: remoteArg("path") }, (a) =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      const p = remotePath(a.path)
      yield* files
        .remove(p)
        .pipe(
          Effect.catchIf(isDirectoryError, () =>
            Effect.fail(
              new Sdk.UsageError({ description: `${a.path} is a folder: use rmdir (empty) or purge (with contents)` })
            )
          )
        )
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
  ).pipe(Command.withDescription("Delete a file (to the trash; for good with --hard-delete)"))

const rmdir = pathCommand("rmdir", "Remove an empty folder", (files, path) => files.rmdir(path))

const purge = pathCommand("purge", "Remove a folder and all its contents", (files, path) => files.purge(path))

const link = Command.make(
  "link",
  {
    ...globals,
    remove: Options.boolean("remove").pipe(Options.withDescription("Stop sharing instead")),
    path: remoteArg("path")
  },
  (a) =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      if (a.remove) return yield* files.removePublicLink(remotePath(a.path))
      const url = yield* files.publicLink(remotePath(a.path))
      yield* a.json ? json({ url }) : out(url)
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("Share a file or folder and print its public link (--remove to stop)"))

const cleanup = Command.make("cleanup", { ...globals, remote: remoteOnlyArg }, (g) =>
  Effect.gen(function* () {
    const r = yield* (yield* Files.Files).emptyTrash()
    yield* g.json ? json(r) : out(`Emptied the trash: ${r.files} files, ${r.folders} folders`)
  }).pipe(Sdk.withSdk(g, remoteOf(g.remote)))
).pipe(Command.withDescription("Empty the trash"))

const trash = Command.make("trash", { ...globals, path: optionalRemoteArg("path") }, (a) =>
  Effect.gen(function* () {
    const base = remotePath(a.path)
    const entries = yield* (yield* Files.Files).listTrash(base)
    if (a.json) return yield* json(entries.map((e) => ({ ...entryJson(base, e), Deleted: iso(e.deleted) })))
    for (const e of entries) {
      yield* out(
        `${Format.padSize(e._tag === "File" ? e.size : -1)} ${Format.lsdTime(time(e.deleted))} ${relativeTo(base, e.path)}${e._tag === "Folder" ? "/" : ""}`
      )
    }
  }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("List what is in the trash below a path: size, deletion time, path"))

const restore = Command.make("restore", { ...globals, path: remoteArg("path") }, (a) =>
  Effect.gen(function* () {
    const f = yield* (yield* Files.Files).restore(remotePath(a.path))
    yield* a.json ? json({ path: f.path, size: f.size }) : out(`Restored ${f.path}`)
  }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("Restore a trashed file to its original path"))

const devices = Command.make("devices", { ...globals, remote: remoteOnlyArg }, (g) =>
  Effect.gen(function* () {
    const account = yield* Account.Account
    const list = yield* account.devices()
    const all = yield* Effect.forEach(list, (d) =>
      Effect.map(account.mountpoints(d.name), (mps) => ({
        name: d.name,
        type: d.type ?? null,
        size: d.size ?? null,
        mountpoints: mps.map((m) => ({ name: m.name, size: m.size ?? null }))
      }))
    )
    if (g.json) return yield* json(all)
    for (const d of all) {
      yield* out(`${d.name}${d.type === null ? "" : ` (${d.type})`}`)
      for (const m of d.mountpoints) yield* out(`  ${m.name}${m.size === null ? "" : `  ${Format.human(m.size)}`}`)
    }
  }).pipe(Sdk.withSdk(g, remoteOf(g.remote)))
).pipe(Command.withDescription("List the devices and their mountpoints (for --device / --mountpoint)"))

const revisions = Command.make(
  "revisions",
  {
    ...globals,
    restore: Options.integer("restore").pipe(
      Options.withDescription("Make this older revision current again (as a new revision)"),
      Options.optional
    ),
    path: remoteArg("path")
  },
  (a) =>
    Effect.gen(function* () {
      const files = yield* Files.Files
      if (Option.isSome(a.restore)) {
        const f = yield* files.restoreRevision(remotePath(a.path), a.restore.value)
        return yield* a.json
          ? json({ path: f.path, revision: f.revision, size: f.size, md5: f.md5 ?? null })
          : out(`Restored revision ${a.restore.value} of ${f.path} as revision ${f.revision}`)
      }
      const revs = yield* files.revisions(remotePath(a.path))
      if (a.json) {
        return yield* json(
          revs.map((r) => ({
            number: r.number,
            current: r.current,
            state: r.state,
            size: r.size ?? null,
            modified: iso(r.modified),
            updated: iso(r.updated)
          }))
        )
      }
      for (const r of revs) {
        yield* out(
          `${String(r.number).padStart(4)} ${Format.padSize(r.size ?? -1)} ${Format.lsdTime(time(r.modified))} ${r.state}${r.current ? " (current)" : ""}`
        )
      }
    }).pipe(Sdk.withSdk(a, remoteOf(a.path)))
).pipe(Command.withDescription("List the revisions of a file, current first"))

const emulator = Command.make(
  "emulator",
  {
    configDir: globals.configDir,
    port: Options.integer("port").pipe(Options.withDescription("Port (default: a free one)"), Options.withDefault(0)),
    data: Options.text("data").pipe(
      Options.withDescription("Persist content and tokens in this directory"),
      Options.optional
    ),
    fault: Options.text("fault").pipe(
      Options.withDescription("Inject a fault, e.g. status:503,op=download,times=2 (see the emulator's README)"),
      Options.repeated
    ),
    accessTokenTtl: Options.integer("access-token-ttl").pipe(
      Options.withDescription("Access token lifetime, seconds"),
      Options.optional
    )
  },
  (a) =>
    Effect.gen(function* () {
      // loaded on demand: the other commands start faster without the server code
      const Emulator = yield* Effect.promise(() => import("@fjord/emulator/Emulator"))
      const faults = yield* Effect.try({
        try: () => a.fault.map(Emulator.parseFault),
        catch: (e) => new Sdk.UsageError({ description: e instanceof Error ? e.message : String(e) })
      })
      const emu = yield* Emulator.make({
        port: a.port,
        faults,
        ...(Option.isSome(a.data) ? { dataDir: a.data.value } : {}),
        ...(Option.isSome(a.accessTokenTtl) ? { accessTokenTtlSeconds: a.accessTokenTtl.value } : {})
      })
      const dir = Settings.configDir(a.configDir)
      yield* Settings.writeEmulatorInfo(
        dir,
        new Settings.EmulatorInfo({ url: emu.url, username: emu.username, loginToken: emu.loginToken })
      )
      yield* json({ url: emu.url, username: emu.username, loginToken: emu.loginToken })
      const output = yield* Output
      yield* output.error(
        `fjord emulator listening on ${emu.url}; log in with: fjord login --emulator${Option.isSome(a.configDir) ? ` --config-dir ${dir}` : ""}   (Ctrl-C stops it)`
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Start the embedded Jottacloud emulator and print its URL and a login token"))

const versionCommand = Command.make("version", {}, () => out(Version.versionText())).pipe(
  Command.withDescription("Show the version of fjord and of the platform it runs on")
)

/**
 * The `fjord` command and its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("fjord", {}, () =>
  out("fjord: rclone-like commands for Jottacloud. Run `fjord --help` for the list of commands.")
).pipe(
  Command.withDescription("rclone-like commands for Jottacloud (cloud paths are written jotta:path)"),
  Command.withSubcommands([
    login,
    logout,
    about,
    userinfo,
    ls,
    lsl,
    lsd,
    lsf,
    lsjson,
    size,
    lsr,
    tree,
    md5sum,
    mkdir,
    ...Transfer.commands(globals),
    ConfigCommand.command(globals),
    cat,
    deleteCommand("delete"),
    deleteCommand("rm"),
    deleteCommand("deletefile"),
    rmdir,
    purge,
    link,
    cleanup,
    trash,
    restore,
    revisions,
    devices,
    emulator,
    Serve.command(globals),
    versionCommand
  ])
)

/**
 * The run failed; the reason was already printed on stderr (or, for usage errors, as help).
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure extends Schema.TaggedError<CliFailure>("@fjord/cli/CliFailure")("CliFailure", {
  exitCode: Schema.Number
}) {}

/** Server-supplied text on a terminal: no control characters (escape sequences), capped. */
const clean = (text: string): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const plain = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
  return plain.length > 300 ? `${plain.slice(0, 300)}…` : plain
}

const describe = (error: unknown): string => clean(describeRaw(error))

const describeRaw = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const tag = "_tag" in error ? String(error._tag) : undefined
    if (tag === "NotFound" && "path" in error && typeof error.path === "string") {
      // rclone's form: the path as the user wrote it, then what is wrong
      return `${RemotePath.remoteName}:${error.path}: not found`
    }
    const message =
      "message" in error && typeof error.message === "string" && error.message !== "" ? error.message : undefined
    if (tag === "SystemError" || tag === "BadArgument") {
      // platform errors: "NotFound: FileSystem.stat (/x): ENOENT…" → keep it short
      return message ?? String(error)
    }
    if (message !== undefined) return message
    if (tag !== undefined) return tag
  }
  return String(error)
}

const cli = Command.run(command, { name: "fjord", version: Version.version })

/**
 * Runs the CLI on `args` (without the node and script paths). Failures are printed as one
 * line on stderr (`fjord: …`) and become a `CliFailure`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (args: ReadonlyArray<string>): Effect.Effect<void, CliFailure, Output | NodeContext.NodeContext> =>
  cli(["node", "fjord", ...GlobalArgs.hoist(args)]).pipe(
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) {
        return Effect.fail(new CliFailure({ exitCode: 2 }))
      }
      const error = Option.isSome(failure) ? failure.value : Cause.squash(cause)
      const text = Option.isSome(failure) ? describe(error) : `internal error: ${describe(error)}`
      return Effect.zipRight(
        Effect.flatMap(Output, (o) => o.error(`fjord: ${text.split("\n")[0]}`)),
        Effect.fail(new CliFailure({ exitCode: 1 }))
      )
    })
  )
