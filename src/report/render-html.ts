/**
 * Self-contained HTML report: inline CSS and inline SVG charts, no scripts, no network (the icon
 * is a data: URL so the browser does not ask for /favicon.ico).
 */
import type { Block } from './document.ts';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The inline Markdown subset: `code`, **bold**, *italic*. */
export function inline(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(—])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
}

const CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #f6f6f4; color: #1a1a1a; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 64px; background: #fff; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-top: 8px; border-top: 2px solid #e3e3e0; }
h3 { font-size: 16px; margin: 24px 0 6px; }
nav { font-size: 14px; margin: 8px 0 16px; }
nav a { margin-right: 14px; color: #0072B2; }
table { border-collapse: collapse; margin: 10px 0 16px; font-size: 13px; width: 100%; }
th, td { border: 1px solid #d9d9d6; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #f0f0ed; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f2f2ef; padding: 0 3px; border-radius: 3px; }
.note { border-left: 4px solid #E69F00; background: #fff8e6; padding: 8px 12px; }
figure { margin: 14px 0 22px; }
figure svg { display: block; width: 100%; height: auto; max-width: 960px; border: 1px solid #e3e3e0; }
figcaption { font-size: 13px; color: #444; margin-top: 6px; }
ul { padding-left: 22px; }
li { margin: 3px 0; }
`;

export function renderHtml(blocks: readonly Block[], title: string): string {
  const body: string[] = [];
  const toc = blocks.filter((b): b is Extract<Block, { kind: 'h' }> => b.kind === 'h' && b.level === 2 && b.id !== undefined);
  for (const b of blocks) {
    switch (b.kind) {
      case 'h':
        body.push(`<h${b.level}${b.id ? ` id="${b.id}"` : ''}>${inline(b.text)}</h${b.level}>`);
        if (b.level === 1) body.push(`<nav>${toc.map((t) => `<a href="#${t.id}">${escapeHtml(t.text)}</a>`).join('')}</nav>`);
        break;
      case 'p': body.push(`<p>${inline(b.text)}</p>`); break;
      case 'note': body.push(`<p class="note">${inline(b.text)}</p>`); break;
      case 'list': body.push(`<ul>\n${b.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</ul>`); break;
      case 'table':
        body.push(`<table>\n<thead><tr>${b.head.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${b.rows
          .map((r) => `<tr>${r.map((c, i) => `<td${b.numeric?.[i] ? ' class="num"' : ''}>${inline(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody>\n</table>`);
        break;
      case 'chart':
        body.push(`<figure class="figure-${b.chart}">\n${b.svg}\n<figcaption>${inline(b.caption)}</figcaption>\n</figure>`);
        break;
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — edgeplan design review</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`;
}
