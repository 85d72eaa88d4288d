import { Injectable } from '@nestjs/common';
import { normalizeFilePath } from '../../storage/object-keys';
import { UploadGrants } from '../files/upload-grants';
import { WandbRunsService } from '../runs/wandb-runs.service';
import { wandbBadRequest, wandbNotFound } from '../wandb.errors';
import { WandbScope } from '../wandb-scope.service';
import type { GraphqlContext } from './graphql-context';

interface RunFilesInput {
  entityName: string;
  projectName: string;
  runName: string;
  files: string[];
}

const FILES_PER_REQUEST = 1_000;

/**
 * `CreateRunFiles`: one signed PUT URL per file (`run.save`, `config.yaml`,
 * `wandb-summary.json`, `output.log`, media…), needing no auth header. The
 * file becomes a run file when its bytes arrive.
 */
@Injectable()
export class FilesResolvers {
  constructor(
    private readonly scope: WandbScope,
    private readonly runs: WandbRunsService,
    private readonly grants: UploadGrants,
  ) {}

  root() {
    return {
      createRunFiles: ({ input }: { input: RunFilesInput }, { caller }: GraphqlContext) => {
        if (input.files.length > FILES_PER_REQUEST) throw wandbBadRequest(`at most ${FILES_PER_REQUEST} files per request`);
        const paths = input.files.map((f) => normalizeFilePath(f));
        return this.scope.inProject(caller, input.entityName, input.projectName, 'artifacts', async (ctx) => {
          const found = await this.runs.find(ctx, input.runName);
          if (!found) throw wandbNotFound(`run ${input.runName}`);
          const base = { u: caller.principal.userId, k: caller.principal.kind, e: ctx.organization.slug, p: ctx.currentProject.slug };
          return {
            runID: found.run.id,
            uploadHeaders: [],
            files: paths.map((path, i) => ({
              name: input.files[i],
              uploadUrl: this.grants.url(ctx.origin, { ...base, r: found.run.id, path }),
            })),
          };
        });
      },
      // Uploads are recorded when their bytes arrive; nothing more to mark.
      markRunFilesUploaded: () => ({ success: true }),
    };
  }
}
