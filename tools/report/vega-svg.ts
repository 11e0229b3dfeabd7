/** @fileoverview A Vega-Lite chart rendered to SVG text in Node, headless (no canvas, no network): what pages and plot files inline. */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The chart of `spec` as one <svg> element's text. */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
