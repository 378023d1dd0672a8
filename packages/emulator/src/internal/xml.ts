/**
 * A tiny XML writer: element trees rendered with two-space indentation (ordinary JFS replies)
 * and escaping helpers for the compact, streamed liststream reply.
 */

export interface XmlElement {
  readonly name: string
  readonly attrs?: ReadonlyArray<readonly [string, string | undefined]>
  /** Child elements. */
  readonly children?: ReadonlyArray<XmlElement | undefined>
  /** Text content; `""` renders `<x></x>`, undefined without children renders `<x/>`. */
  readonly text?: string
}

export const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

const TEXT_RE = /[&<>]/g
const ATTR_RE = /[&<>"']/g
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }

export const escapeText = (s: string): string => s.replace(TEXT_RE, (c) => ENTITIES[c]!)
export const escapeAttr = (s: string): string => s.replace(ATTR_RE, (c) => ENTITIES[c]!)

/** Builds an element. */
export const el = (
  name: string,
  attrs?: ReadonlyArray<readonly [string, string | undefined]>,
  children?: ReadonlyArray<XmlElement | undefined>
): XmlElement => ({ name, ...(attrs ? { attrs } : {}), ...(children ? { children } : {}) })

/** Builds a text element. */
export const text = (name: string, value: string | number | boolean, preserve = false): XmlElement => ({
  name,
  ...(preserve ? { attrs: [["xml:space", "preserve"]] as const } : {}),
  text: String(value)
})

const renderAttrs = (attrs: XmlElement["attrs"]): string => {
  if (!attrs) return ""
  let out = ""
  for (const [k, v] of attrs) if (v !== undefined) out += ` ${k}="${escapeAttr(v)}"`
  return out
}

const renderInto = (node: XmlElement, indent: string, out: Array<string>): void => {
  const open = `${indent}<${node.name}${renderAttrs(node.attrs)}`
  const kids = node.children?.filter((c): c is XmlElement => c !== undefined) ?? []
  if (kids.length > 0) {
    out.push(`${open}>`)
    for (const k of kids) renderInto(k, `${indent}  `, out)
    out.push(`${indent}</${node.name}>`)
  } else if (node.text !== undefined) {
    out.push(`${open}>${escapeText(node.text)}</${node.name}>`)
  } else {
    out.push(`${open}/>`)
  }
}

/** Renders a document: declaration, then the indented tree, newline-terminated. */
export const render = (root: XmlElement): string => {
  const out: Array<string> = [DECLARATION]
  renderInto(root, "", out)
  return `${out.join("\n")}\n`
}
