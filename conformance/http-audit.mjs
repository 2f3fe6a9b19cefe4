// GraphQL-over-HTTP conformance: runs the `graphql-http` server audits against a running server.
//
//   URL=http://127.0.0.1:8000/graphql CRM_API_KEY=<key> node conformance/http-audit.mjs
//
// Every audit request carries `Authorization: Bearer $CRM_API_KEY` (the endpoint answers 401
// without it). Prints each audit that is not ok, then a summary line; exits 1 if a MUST audit
// fails, 2 if the audit could not run at all (missing settings, server unreachable).
import { serverAudits } from 'graphql-http';

const url = process.env.URL;
const apiKey = process.env.CRM_API_KEY;
if (!url || !apiKey) {
  console.error('Set URL (e.g. http://127.0.0.1:8000/graphql) and CRM_API_KEY.');
  process.exit(2);
}

/** `fetch` with the API key added to every request, whatever form the audit passes headers in. */
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${apiKey}`);
  return fetch(input, { ...init, headers });
};

/** The failing response, briefly: status, content type and the start of the body. */
async function describe(response) {
  if (!response) return '';
  let body = '';
  try {
    body = (await response.clone().text()).replace(/\s+/g, ' ').slice(0, 200);
  } catch {
    body = '<body already read>';
  }
  const type = response.headers.get('content-type') ?? '<no content-type>';
  return `[HTTP ${response.status}, ${type}] ${body}`;
}

const results = [];
try {
  // One at a time, in the suite's order, so the output is stable from run to run.
  for (const { fn } of serverAudits({ url, fetchFn })) results.push(await fn());
} catch (error) {
  // The suite throws only on fatal problems, e.g. the server cannot be reached.
  console.error(`Audit aborted: ${error?.cause?.message ?? error?.message ?? error}`);
  process.exit(2);
}

const LEVEL = { error: 'MUST', warn: 'SHOULD', notice: 'MAY' };
for (const result of results) {
  if (result.status === 'ok') continue;
  console.log(`${result.status.toUpperCase().padEnd(6)} ${result.id} ${result.name}`);
  console.log(`       reason: ${result.reason}`);
  const detail = await describe(result.response);
  if (detail) console.log(`       got:    ${detail}`);
}

const count = (status) => results.filter((result) => result.status === status).length;
console.log(
  `${results.length} audits: ${count('ok')} ok, ` +
    `${count('error')} ${LEVEL.error}-fail (error), ` +
    `${count('warn')} ${LEVEL.warn}-fail (warn), ` +
    `${count('notice')} ${LEVEL.notice}-fail (notice)`,
);
process.exit(count('error') > 0 ? 1 : 0);
