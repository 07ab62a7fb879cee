// The engineer's Markdown (summary, root cause, resolution, notes) to HTML with marked (a well-kept CommonMark/GFM
// parser): raw HTML in it is shown as text, links only to http(s) and mailto, images as their text (a report
// loads nothing from outside).
import { Marked } from 'marked'
import { esc, type MarkdownToHtml } from '../../core/report/html'

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => esc(text),
    image: ({ text }) => `<span class="muted">[image: ${esc(text)}]</span>`,
    link({ href, title, tokens }) {
      const text = this.parser.parseInline(tokens)
      return /^(https?:|mailto:)/i.test(href) ? `<a href="${esc(href)}"${title ? ` title="${esc(title)}"` : ''}>${text}</a>` : text
    }
  }
})

export const markdownToHtml: MarkdownToHtml = (md) => {
  const out = marked.parse(md)
  return typeof out === 'string' ? out : ''
}
