// Bundled by esbuild into saferplaces/web/static/saferplaces/build/app.js.
import { initAll } from "govuk-frontend";

initAll();
