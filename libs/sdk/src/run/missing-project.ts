import type { TrackbaseApi } from '../client/api';
import { TrackbaseApiError } from '../client/errors';

/**
 * `init` on a project that does not exist: create it when the key's owner may
 * create projects in that organization (as W&B and MLflow do), otherwise say
 * exactly which project and organization could not be found, and what to try.
 */
export async function createMissingProject(api: TrackbaseApi, org: string, project: string, log: (m: string) => void): Promise<void> {
  const ref = `${org}/${project}`;
  try {
    await api.createProject(org, { name: project, slug: project });
  } catch (error) {
    if (!(error instanceof TrackbaseApiError)) throw error;
    const refuse = (message: string) => new TrackbaseApiError(404, 'not_found', message, error.details);
    if (error.status === 404)
      throw refuse(`organization "${org}" not found, or the API key's owner is not a member (\`trackbase orgs\` lists yours)`);
    if (error.status === 403)
      throw refuse(
        `project "${ref}" not found, and the API key's role in organization "${org}" may not create projects; check the name (\`trackbase projects list ${org}\`) or ask an admin of "${org}" to create it`,
      );
    if (error.status === 409) throw refuse(`project "${ref}" exists but the API key's owner has no access to it; ask its maintainers`);
    throw refuse(`project "${ref}" not found and could not be created: ${error.message}`);
  }
  log(`trackbase: created project ${ref} (it did not exist; pass createProject: false to init to make that an error)`);
}
