// Bundled by esbuild into saferplaces/web/static/saferplaces/build/chart.js.
// The measure page shows the server's drawing of its chart (an image with
// the chart in words as its alt text) and the same figures as a table; with
// this script, vega-embed draws the same Vega-Lite specification in the page,
// sized to it, with tooltips. The page's CSP allows no eval and no inline
// style, so expressions go through vega-interpreter and no style sheets are
// injected (the tooltip's style is in app.scss).
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

for (const figure of document.querySelectorAll("[data-vega-spec]")) {
  const source = document.getElementById(figure.dataset.vegaSpec);
  if (!source) continue;
  // The server draws at a fixed width; in the page the chart fits its column.
  const spec = {
    ...JSON.parse(source.textContent),
    width: "container",
    autosize: { type: "fit-x", contains: "padding" },
  };
  const image = figure.querySelector("img");
  const target = document.createElement("div");
  target.className = "app-chart__live";
  target.setAttribute("role", "img");
  target.setAttribute("aria-label", image ? image.alt : spec.description || "");
  figure.append(target);
  embed(target, spec, {
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    defaultStyle: false,
    renderer: "svg",
    tooltip: { disableDefaultStyle: true },
  })
    .then(() => {
      if (image) image.remove();
      figure.dataset.vegaRendered = "true";
    })
    .catch((error) => {
      target.remove();
      console.error("The chart could not be drawn here; the picture stays.", error);
    });
}
