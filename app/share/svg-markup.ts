import { isValidElement, type ReactElement, type ReactNode } from 'react';

/**
 * A static SVG serializer for element trees of plain function components (no hooks, no context) — what the chart
 * components in app/charts are. Next refuses `react-dom/server` inside the app directory (route handlers included),
 * so the SVG endpoints serialise the interactive chart's own component with this instead; a test checks that the
 * output equals react-dom/server's renderToStaticMarkup for the heatmap. Event handlers, keys and refs are dropped.
 */

/** SVG attributes whose React prop names are their real (camelCase) names; every other camelCase prop is kebab-cased. */
const CAMEL_ATTRIBUTES = new Set([
  'viewBox',
  'preserveAspectRatio',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'clipPathUnits',
  'markerUnits',
  'markerWidth',
  'markerHeight',
  'refX',
  'refY',
  'textLength',
  'lengthAdjust',
  'startOffset',
]);

const RENAMED: Readonly<Record<string, string>> = {
  className: 'class',
  htmlFor: 'for',
  tabIndex: 'tabindex',
  xlinkHref: 'xlink:href',
  xmlSpace: 'xml:space',
};

function attributeName(prop: string): string {
  const renamed = RENAMED[prop];
  if (renamed !== undefined) return renamed;
  if (CAMEL_ATTRIBUTES.has(prop) || prop.startsWith('data-') || prop.startsWith('aria-')) return prop;
  return prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** As React escapes text and attribute values: & < > " ' . */
function escapeText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

const escapeAttr = escapeText;

function styleString(style: Record<string, unknown>): string {
  return Object.entries(style)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}:${String(v as string | number)}`)
    .join(';');
}

function attributes(props: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(props)) {
    if (key === 'children' || key === 'key' || key === 'ref' || key === 'dangerouslySetInnerHTML') continue;
    if (/^on[A-Z]/.test(key) || typeof value === 'function') continue;
    if (value === undefined || value === null || value === false) continue;
    if (key === 'style' && typeof value === 'object') {
      const s = styleString(value as Record<string, unknown>);
      if (s) out += ` style="${escapeAttr(s)}"`;
      continue;
    }
    const text = value === true ? '' : typeof value === 'string' || typeof value === 'number' ? String(value) : null;
    if (text === null) throw new TypeError(`svgMarkup: attribute ${key} must be a string, number or boolean`);
    out += ` ${attributeName(key)}="${escapeAttr(text)}"`;
  }
  return out;
}

/** Serialise a React node tree of host SVG elements and hook-free function components to markup. */
export function svgMarkup(node: ReactNode): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string') return escapeText(node);
  if (typeof node === 'number' || typeof node === 'bigint') return String(node);
  if (Array.isArray(node)) return (node as ReactNode[]).map(svgMarkup).join('');
  if (!isValidElement(node)) throw new TypeError('svgMarkup: only elements, text and arrays can be serialised');
  const el = node as ReactElement<Record<string, unknown>>;
  const children = el.props.children as ReactNode;
  if (typeof el.type === 'function') {
    const render = el.type as (props: Record<string, unknown>) => ReactNode;
    return svgMarkup(render(el.props));
  }
  if (typeof el.type !== 'string') return svgMarkup(children); // Fragment
  const inner = svgMarkup(children);
  return `<${el.type}${attributes(el.props)}>${inner}</${el.type}>`;
}
