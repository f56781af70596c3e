// Initialise every GOV.UK Frontend component on the page. Loaded as a module from the base
// template, after <body> has class "govuk-frontend-supported".
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
