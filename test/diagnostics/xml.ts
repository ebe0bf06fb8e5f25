/**
 * A strict well-formedness check for the SVG documents the plots produce (no XML parser ships
 * with the project): one root element, every start tag closed in order, attribute values quoted
 * and unique per element, only the five predefined or numeric entities, no stray `<` or `&`.
 * Returns the problems found (empty when well formed) and the element names in document order.
 */

export interface XmlCheck { readonly problems: string[]; readonly elements: string[] }

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*$/
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/g

const checkText = (text: string, where: string, problems: string[]): void => {
  if (text.includes('<')) problems.push(`stray '<' in ${where}`)
  if (text.replace(ENTITY, '').includes('&')) problems.push(`bad entity in ${where}`)
}

export const checkXml = (doc: string): XmlCheck => {
  const problems: string[] = []
  const elements: string[] = []
  const stack: string[] = []
  let roots = 0
  let i = 0
  const body = doc.replace(/^<\?xml[^>]*\?>\s*/, '')
  while (i < body.length) {
    const lt = body.indexOf('<', i)
    const text = body.slice(i, lt < 0 ? body.length : lt)
    if (stack.length === 0 && text.trim() !== '') problems.push(`text outside the root: ${text.slice(0, 20)}`)
    checkText(text, 'text', problems)
    if (lt < 0) break
    if (body.startsWith('<!--', lt)) { i = body.indexOf('-->', lt) + 3; if (i < 3) { problems.push('unclosed comment'); break } continue }
    const gt = body.indexOf('>', lt)
    if (gt < 0) { problems.push('unclosed tag'); break }
    const tag = body.slice(lt + 1, gt)
    i = gt + 1
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim()
      const open = stack.pop()
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`)
      continue
    }
    const selfClosing = tag.endsWith('/')
    const inner = selfClosing ? tag.slice(0, -1) : tag
    const m = /^([^\s]+)([\s\S]*)$/.exec(inner)
    if (m === null || !NAME.test(m[1])) { problems.push(`bad tag <${tag.slice(0, 20)}>`); continue }
    const name = m[1]
    let rest = m[2]
    const seen = new Set<string>()
    const attr = /^\s+([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/
    for (let a = attr.exec(rest); a !== null; a = attr.exec(rest)) {
      if (!NAME.test(a[1])) problems.push(`bad attribute name ${a[1]} on <${name}>`)
      if (seen.has(a[1])) problems.push(`duplicate attribute ${a[1]} on <${name}>`)
      seen.add(a[1])
      checkText(a[3] ?? a[4] ?? '', `attribute ${a[1]} of <${name}>`, problems)
      rest = rest.slice(a[0].length)
    }
    if (rest.trim() !== '') problems.push(`unparsable attributes on <${name}>: ${rest.trim().slice(0, 30)}`)
    if (stack.length === 0) roots++
    elements.push(name)
    if (!selfClosing) stack.push(name)
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(' > ')}`)
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`)
  return { problems, elements }
}
