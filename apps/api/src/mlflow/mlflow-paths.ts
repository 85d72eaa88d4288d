/** MLflow's client joins its tracking URI and `/api/2.0/mlflow/...`; ours is `<host>/mlflow/<org>`. */
export const MLFLOW_API = 'mlflow/:org/api/2.0/mlflow';
export const MLFLOW_ARTIFACTS = 'mlflow/:org/api/2.0/mlflow-artifacts';
