/** What a person at the terminal needs once the server is up: where to go, and how to log a first run. */
export function readyBanner({ url, webApp, startupMs }: { url: string; webApp: boolean; startupMs: number }): string {
  const app = webApp
    ? `${url}   sign up, create an organization and a project, then an API key under Account`
    : `not built (npm run build -w @trackbase/web, or npm start builds it)`;
  return [
    '',
    `  Trackbase is ready at ${url} (started in ${(startupMs / 1000).toFixed(1)} s)`,
    '',
    `    Open the app   ${app}`,
    `    API docs       ${url}/api/docs`,
    `    Log a run      TRACKBASE_URL=${url} TRACKBASE_API_KEY=tbk_... with the SDK (README: "Log your first run");`,
    `                   the empty project page shows the code for that project; npx trackbase --help for the CLI`,
    '',
    '  Logs: readable lines here, JSON lines when not on a terminal (LOG_FORMAT=json|pretty, LOG_LEVEL=debug for more).',
    '',
    '',
  ].join('\n');
}
