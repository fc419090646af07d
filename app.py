"""thidua: the Chalice app. Wiring only: error shaping, one Blueprint per feature, the schedules.

Nothing imported here may import WeasyPrint: every API Lambda imports this module
on a cold start. The routes live in `chalicelib/http/` (one module per feature).
"""

from __future__ import annotations

from chalice import Cron, Rate

from chalicelib.http.application import Application
from chalicelib.http.errors import install_error_shaping
from chalicelib.http.features import FEATURES

app = Application(app_name="thidua")  # a Chalice app whose current request is per thread
install_error_shaping(app)
for feature in FEATURES:
    app.register_blueprint(feature.blueprint)
# API Gateway returns these bodies as binary only to requests that accept them.
app.api.binary_types.extend(["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document"])


# 01:00 UTC is 08:00 in Hà Nội: reminders arrive at the start of the working day. The same daily run
# then keeps the figure packs (periods locked since, open conferences' windows) so that no request
# packs them (chalicelib/awards/keeping.py); each part is idempotent, and a raise lets Lambda retry both.
@app.schedule(Cron(0, 1, "*", "*", "?", "*"))
def send_reminders(event: object) -> dict:
    from chalicelib.awards.keeping import run_from_environment as keep_figures
    from chalicelib.bootstrap import services
    from chalicelib.reporting.reminders import run_from_environment

    now = services.clock.now()
    try:
        reminded = run_from_environment(now).as_dict()
    finally:  # kept even when a reminder failed
        kept = keep_figures(now)
    return {**reminded, "figures": kept}


# Every 5 minutes: conferences due soon, and the safety net of `POST /v1/conferences/{id}/compile` (202),
# which starts its compile at once; a run with nothing due is one Query and never loads the renderer.
@app.schedule(Rate(5, unit=Rate.MINUTES))
def compile_due_conferences(event: object) -> dict:
    from chalicelib.bootstrap import services
    from chalicelib.publishing.pipeline import run_scheduled  # the renderer loads only here

    return run_scheduled(services.settings(), services.clock.now())


# Invoked asynchronously by `POST /v1/conferences/{id}/compile` when THIDUA_COMPILE_TRIGGER=lambda;
# event {"conference_id": ...}. Raising lets Lambda's async retry run it again (idempotent).
@app.lambda_function(name="compile_conference")
def compile_conference(event: dict, context: object) -> dict:
    from chalicelib.bootstrap import services
    from chalicelib.publishing.trigger import run_requested  # the renderer loads only when it renders

    conf = services.settings()
    return run_requested(conf, event["conference_id"], services.clock.now(), store=services.store(conf)).as_dict()
