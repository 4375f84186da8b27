"""The application services: what every front door calls.

The CLI (and so ``%mlws``), the REST handlers, the widgets and the JupyterLab client
(through REST) translate their door into these calls and format what comes back.
Plain arguments in, entities out; one module per concept. Front doors never import
``jupyter_mlws.store`` (an import-linter contract checks it): the rules about runs,
liveness, metric views and log following live here and below.
"""
