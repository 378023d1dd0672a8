/**
 * The XML decoding boundary: response text → plain object tree (fast-xml-parser style) →
 * Schema-decoded value, on the `saxes` parser (well-formedness checking, no DTD entity
 * expansion; documents with a DOCTYPE are rejected outright).
 *
 * The tree for `<folder name="a"><path>/x</path><files><file name="b"/></files></folder>`:
 *
 * ```ts
 * { folder: { "@_name": "a", path: "/x", files: { file: [{ "@_name": "b" }] } } }
 * ```
 *
 * - attributes are keys prefixed `@_`; values are strings (no number parsing);
 * - an element with neither attributes nor child elements is its text, exactly as sent (not
 *   trimmed: names and paths can start or end with spaces), `""` when empty;
 * - otherwise an object: child elements by name, repeated names as arrays, text (when an
 *   element has attributes, or non-blank text besides child elements) under `"#text"`;
 * - children of collection elements are always arrays, even with one child (see
 *   {@link defaultIsArray});
 * - whitespace between child elements is ignored; comments and processing instructions
 *   are dropped; the XML declaration is not part of the tree.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { SaxesParser } from "saxes"
import { own } from "./internal/strings.js"

/**
 * An element's content in the object tree. Values are strings, elements or arrays of them.
 *
 * @since 0.1.0
 * @category models
 */
export interface XmlElement {
  readonly [key: string]: XmlNode
}

/**
 * @since 0.1.0
 * @category models
 */
export type XmlNode = string | XmlElement | ReadonlyArray<XmlNode>

/**
 * Decides whether the element at `path` (element names from the root down to it, inclusive)
 * is always put in an array under its parent.
 *
 * @since 0.1.0
 * @category models
 */
export type IsArray = (path: ReadonlyArray<string>) => boolean

/**
 * The collection elements of JFS documents: `folders/folder`, `files/file`,
 * `devices/device`, `mountPoints/mountPoint`, `revisions/revision`.
 *
 * @since 0.1.0
 * @category constants
 */
export const collections: ReadonlyArray<readonly [parent: string, child: string]> = [
  ["folders", "folder"],
  ["files", "file"],
  ["devices", "device"],
  ["mountPoints", "mountPoint"],
  ["revisions", "revision"]
]

const collectionKeys = new Set(collections.map(([p, c]) => `${p}/${c}`))

// child name → parent names ({@link defaultIsArray} without building strings)
const collectionParents = new Map<string, Set<string>>()
for (const [p, c] of collections) {
  const parents = collectionParents.get(c) ?? new Set<string>()
  parents.add(p)
  collectionParents.set(c, parents)
}

/**
 * The default {@link IsArray}: a child of one of the {@link collections} elements.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultIsArray: IsArray = (path) =>
  path.length >= 2 && collectionKeys.has(`${path[path.length - 2]}/${path[path.length - 1]}`)

const ownThreshold = 16 * 1024
const same = (s: string): string => s

const attributeKeys = new Map<string, string>()
const attributeKey = (name: string): string => {
  let key = attributeKeys.get(name)
  if (key === undefined) {
    key = `@_${name}`
    if (attributeKeys.size < 1024) attributeKeys.set(name, key)
  }
  return key
}

interface Frame {
  readonly name: string
  readonly attributes: Record<string, string>
  readonly children: Record<string, XmlNode | Array<XmlNode>>
  hasChildren: boolean
  hasAttributes: boolean
  text: string
  forcedArrays: Set<string> | undefined
}

/**
 * Parses a whole XML document into the object tree. Throws on malformed XML or a DOCTYPE.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string, options?: { readonly isArray?: IsArray | undefined }): XmlElement => {
  const custom = options?.isArray
  // Values are copied off the document only when it is large enough for retention to matter
  // (a value kept from a small document keeps at most that small document alive).
  const keep = text.length > ownThreshold ? own : same
  const parser = new SaxesParser({ xmlns: false, position: true })
  const stack: Array<Frame> = []
  // Element names from the root down (only a custom IsArray needs them).
  const path: Array<string> = []
  let result: XmlElement | undefined
  parser.on("doctype", () => {
    throw new Error("DOCTYPE declarations are not accepted")
  })
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {}
    let hasAttributes = false
    for (const key in tag.attributes) {
      attributes[attributeKey(key)] = keep(tag.attributes[key]!)
      hasAttributes = true
    }
    if (custom !== undefined) path.push(tag.name)
    stack.push({
      name: tag.name,
      attributes,
      children: {},
      hasChildren: false,
      hasAttributes,
      text: "",
      forcedArrays: undefined
    })
  })
  const onText = (t: string) => {
    const top = stack[stack.length - 1]
    if (top !== undefined) top.text += t
  }
  parser.on("text", onText)
  parser.on("cdata", onText)
  parser.on("closetag", () => {
    const frame = stack.pop()!
    const parent = stack[stack.length - 1]
    let forced: boolean
    if (custom !== undefined) {
      forced = custom(path)
      path.pop()
    } else {
      forced = parent !== undefined && collectionParents.get(frame.name)?.has(parent.name) === true
    }
    let value: XmlNode
    if (!frame.hasChildren && !frame.hasAttributes) {
      value = keep(frame.text)
    } else {
      // attributes first, then child elements (the frame's own objects, reused)
      const obj: Record<string, XmlNode> = frame.hasAttributes
        ? Object.assign(frame.attributes, frame.children)
        : frame.children
      if (frame.hasChildren ? frame.text.trim() !== "" : frame.text !== "") obj["#text"] = keep(frame.text)
      value = obj
    }
    if (parent === undefined) {
      result = { [frame.name]: value }
      return
    }
    parent.hasChildren = true
    const existing = parent.children[frame.name]
    if (existing === undefined) {
      if (forced) {
        parent.children[frame.name] = [value]
        ;(parent.forcedArrays ??= new Set()).add(frame.name)
      } else {
        parent.children[frame.name] = value
      }
    } else if (parent.forcedArrays?.has(frame.name) === true) {
      ;(existing as Array<XmlNode>).push(value)
    } else {
      parent.children[frame.name] = [existing, value]
      ;(parent.forcedArrays ??= new Set()).add(frame.name)
    }
  })
  parser.write(text).close()
  if (result === undefined) throw new Error("no root element")
  return result
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Builds an XML-from-string schema with a custom {@link IsArray}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const makeXmlFromString = (options?: {
  readonly isArray?: IsArray | undefined
}): Schema.Schema<XmlElement, string> =>
  Schema.transformOrFail(
    Schema.String,
    Schema.Record({ key: Schema.String, value: Schema.Unknown }) as unknown as Schema.Schema<XmlElement>,
    {
      strict: true,
      decode: (text, _, ast) =>
        ParseResult.try({
          try: () => parse(text, options),
          catch: (e) => new ParseResult.Type(ast, text, `invalid XML: ${errorMessage(e)}`)
        }),
      encode: (_, __, ast, tree) =>
        ParseResult.fail(new ParseResult.Forbidden(ast, tree, "encoding XML is not supported"))
    }
  ).annotations({ identifier: "XmlFromString" })

/**
 * A whole XML document as the object tree, with the default collections as arrays.
 * Malformed XML and documents with a DOCTYPE fail with a ParseError.
 *
 * @since 0.1.0
 * @category schemas
 */
export const XmlFromString: Schema.Schema<XmlElement, string> = makeXmlFromString()
