"""
Framework integrations. Each lives in its own module and imports its framework only when that module
is imported, so `import trackbase` (and `import trackbase.integrations`) loads none of them:

- `trackbase.integrations.lightning`: `TrackbaseLogger` for PyTorch Lightning
- `trackbase.integrations.transformers`: `TrackbaseCallback` for the Hugging Face `Trainer`
- `trackbase.integrations.keras`: `TrackbaseKerasCallback` for Keras 3
- `trackbase.integrations.xgboost`: `TrackbaseXGBoostCallback`
- `trackbase.integrations.lightgbm`: `TrackbaseLightGBMCallback`
- `trackbase.integrations.optuna`: `TrackbaseOptunaCallback` (one run per trial, grouped by study)
- `trackbase.integrations.sklearn`: `log_model` / `load_model` for fitted estimators

A failure inside an integration (a server that refuses, a value it cannot log) is reported once and
never raised into the training loop.
"""
