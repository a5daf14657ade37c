/** Markdown report: the document's blocks; charts become a pointer to report.html. */
import type { Block } from './document.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  let chartNoted = false;
  for (const b of blocks) {
    switch (b.kind) {
      case 'h': out.push(`${'#'.repeat(b.level)} ${b.text}`); break;
      case 'p': out.push(b.text); break;
      case 'note': out.push(`> ${b.text}`); break;
      case 'list': out.push(b.items.map((i) => `- ${i}`).join('\n')); break;
      case 'table': {
        const al = b.head.map((_, i) => (b.numeric?.[i] ? '---:' : '---'));
        out.push([`| ${b.head.map(cell).join(' | ')} |`, `| ${al.join(' | ')} |`, ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n'));
        break;
      }
      case 'chart':
        if (!chartNoted) { out.push('*Charts for this section are in report.html.*'); chartNoted = true; }
        break;
    }
    if (b.kind === 'h') chartNoted = false;
  }
  return out.join('\n\n') + '\n';
}
