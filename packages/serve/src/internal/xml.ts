/**
 * WebDAV XML in and out.
 *
 * In: `saxes` (already core's parser) with namespaces on, so an element is known by its
 * namespace URI and local name whatever prefix the client chose (RFC 4918 §8.1, which also
 * requires a malformed body to get 400). A document type declaration is refused outright and
 * saxes never expands an entity the document declares (only the five predefined ones and
 * character references), so neither "billion laughs" nor external entities can happen.
 *
 * Out: `fast-xml-parser`'s `XMLBuilder` in its ordered form, which escapes text and
 * attribute values; DAV: elements get the `D:` prefix, others declare their namespace as the
 * default namespace of the element itself.
 */
import { XMLBuilder } from "fast-xml-parser"
import { SaxesParser } from "saxes"

/** A parsed element, known by namespace URI (`""`: no namespace) and local name. */
export interface Element {
  readonly ns: string
  readonly local: string
  readonly attrs: ReadonlyArray<Attribute>
  readonly children: ReadonlyArray<Node>
}

export interface Attribute {
  readonly ns: string
  readonly local: string
  readonly prefix: string
  readonly value: string
}

export type Node = Element | string

/** Request bodies larger than this are refused (they are property lists, not content). */
export const maxBodyBytes = 1024 * 1024

export const DAV = "DAV:"

/** Parses a request body; `undefined` for a malformed document (or one with a DOCTYPE). */
export const parse = (text: string): Element | undefined => {
  const parser = new SaxesParser({ xmlns: true, position: false })
  const stack: Array<{ ns: string; local: string; attrs: Array<Attribute>; children: Array<Node> }> = []
  let root: Element | undefined
  let failed = false
  parser.on("error", () => {
    failed = true
  })
  parser.on("doctype", () => {
    failed = true
  })
  parser.on("opentag", (tag) => {
    const attrs: Array<Attribute> = []
    for (const a of Object.values(tag.attributes)) {
      if (typeof a === "string") continue
      if (a.prefix === "xmlns" || a.name === "xmlns") continue
      attrs.push({ ns: a.uri, local: a.local, prefix: a.prefix, value: a.value })
    }
    stack.push({ ns: tag.uri ?? "", local: tag.local ?? tag.name, attrs, children: [] })
  })
  parser.on("text", (text) => {
    const top = stack[stack.length - 1]
    if (top !== undefined) top.children.push(text)
  })
  parser.on("cdata", (text) => {
    const top = stack[stack.length - 1]
    if (top !== undefined) top.children.push(text)
  })
  parser.on("closetag", () => {
    const el = stack.pop()
    if (el === undefined) return
    const parent = stack[stack.length - 1]
    if (parent === undefined) root = el
    else parent.children.push(el)
  })
  try {
    parser.write(text).close()
  } catch {
    return undefined
  }
  return failed ? undefined : root
}

/** Child elements (text dropped). */
export const elements = (el: Element): ReadonlyArray<Element> =>
  el.children.filter((c): c is Element => typeof c !== "string")

export const child = (el: Element, ns: string, local: string): Element | undefined =>
  elements(el).find((c) => c.ns === ns && c.local === local)

export const text = (el: Element): string => el.children.map((c) => (typeof c === "string" ? c : text(c))).join("")

export const is = (el: Element, ns: string, local: string): boolean => el.ns === ns && el.local === local

// ---------------------------------------------------------------------------------------------
// output

/** An element to write: a DAV: element (`d`), a foreign one (`el`) or text. */
export type Out =
  | {
      readonly ns: string
      readonly local: string
      readonly attrs?: Record<string, string>
      readonly children: ReadonlyArray<Out>
    }
  | { readonly text: string }
  | { readonly raw: ReadonlyArray<Node> }

export const d = (local: string, ...children: ReadonlyArray<Out | string>): Out => ({
  ns: DAV,
  local,
  children: children.map((c) => (typeof c === "string" ? { text: c } : c))
})

export const el = (ns: string, local: string, children: ReadonlyArray<Out> = []): Out => ({ ns, local, children })

export const raw = (nodes: ReadonlyArray<Node>): Out => ({ raw: nodes })

type Ordered = Record<string, unknown>

const fromNode = (node: Node, parentNs: string): Ordered =>
  typeof node === "string"
    ? { "#text": node }
    : toOrdered({ ns: node.ns, local: node.local, children: [{ raw: node.children }] }, parentNs, node.attrs)

const toOrdered = (out: Out, parentNs: string, attributes: ReadonlyArray<Attribute> = []): Ordered => {
  if ("text" in out) return { "#text": out.text }
  if ("raw" in out) return { "#raw": out.raw.map((n) => fromNode(n, parentNs)) }
  const attrs: Record<string, string> = {}
  for (const [k, v] of Object.entries(out.attrs ?? {})) attrs[`@_${k}`] = v
  let name: string
  let ns = parentNs
  if (out.ns === DAV) {
    name = `D:${out.local}`
  } else {
    name = out.local
    if (out.ns !== parentNs) attrs["@_xmlns"] = out.ns
    ns = out.ns
  }
  attributes.forEach((a, i) => {
    if (a.ns === "") attrs[`@_${a.local}`] = a.value
    else if (a.prefix === "xml") attrs[`@_xml:${a.local}`] = a.value
    else {
      attrs[`@_xmlns:a${i}`] = a.ns
      attrs[`@_a${i}:${a.local}`] = a.value
    }
  })
  const children: Array<Ordered> = []
  for (const c of out.children) {
    const o = toOrdered(c, ns)
    if ("#raw" in o) children.push(...(o["#raw"] as Array<Ordered>))
    else children.push(o)
  }
  return Object.keys(attrs).length === 0 ? { [name]: children } : { [name]: children, ":@": attrs }
}

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: true,
  processEntities: true
})

/** A document with `root` (a DAV: element) as its root; the `D` prefix is declared there. */
export const document = (root: Out): string => {
  const ordered = toOrdered(root, "")
  const attrs = (ordered[":@"] as Record<string, string> | undefined) ?? {}
  ordered[":@"] = { "@_xmlns:D": DAV, ...attrs }
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build([ordered])}`
}
