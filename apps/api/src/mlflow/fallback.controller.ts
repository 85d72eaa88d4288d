import { All, Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GlobalPermission } from '@trackbase/contracts';
import { RequirePermission } from '../common/access/require-permission.decorator';
import { MlflowError, MlflowErrorCode } from './mlflow.errors';
import { MlflowRoutes } from './mlflow-access';

/**
 * Every other path under an MLflow tracking URI answers a JSON ENDPOINT_NOT_FOUND:
 * the client reads it to fall back (v3 traces to v2) or to skip a feature
 * (server-info, workspaces), where a bare 404 would be an error. Registered last.
 */
@ApiExcludeController()
@MlflowRoutes()
@Controller('mlflow/:org')
export class MlflowFallbackController {
  @All('*path')
  @RequirePermission(GlobalPermission.Public)
  notServed(): never {
    throw new MlflowError(MlflowErrorCode.EndpointNotFound, 'Trackbase does not serve this MLflow endpoint');
  }
}
