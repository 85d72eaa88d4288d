import { AppError } from '../common/errors/app-error';

/** The error codes the MLflow client branches on, with the HTTP statuses MLflow's own server gives them. */
export const MlflowErrorCode = {
  ResourceDoesNotExist: 'RESOURCE_DOES_NOT_EXIST',
  ResourceAlreadyExists: 'RESOURCE_ALREADY_EXISTS',
  InvalidParameterValue: 'INVALID_PARAMETER_VALUE',
  EndpointNotFound: 'ENDPOINT_NOT_FOUND',
  PermissionDenied: 'PERMISSION_DENIED',
  Unauthenticated: 'UNAUTHENTICATED',
  InternalError: 'INTERNAL_ERROR',
} as const;
export type MlflowErrorCode = (typeof MlflowErrorCode)[keyof typeof MlflowErrorCode];

export const MLFLOW_STATUS: Record<MlflowErrorCode, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  INTERNAL_ERROR: 500,
};

/** Thrown by the MLflow domain; the MLflow error filter answers `{error_code, message}`. */
export class MlflowError extends AppError {
  constructor(code: MlflowErrorCode, message: string) {
    super(MLFLOW_STATUS[code], code, message);
  }
}

export const doesNotExist = (message: string) => new MlflowError(MlflowErrorCode.ResourceDoesNotExist, message);
export const alreadyExists = (message: string) => new MlflowError(MlflowErrorCode.ResourceAlreadyExists, message);
export const invalidParameter = (message: string) => new MlflowError(MlflowErrorCode.InvalidParameterValue, message);
export const permissionDenied = (message = 'your role does not allow this') => new MlflowError(MlflowErrorCode.PermissionDenied, message);
