"""citydesk's Chalice app: it wires the blueprints and the middleware, nothing else."""

from chalicelib.api import (
    admin_audit, admin_auth, admin_directory, admin_open311_keys, admin_outages, admin_outbox, admin_tickets, auth,
    errors, health, http, open311, openapi, public, reference, tickets, uploads,
)
from chalicelib.api.http_api import App
from chalicelib.jobs import schedule

# Chalice's app, which also finds the route of an event from the HTTP API's catch-all route.
app = App(app_name="citydesk")
# The first registered wraps the rest: errors are reshaped before they are serialised.
app.register_middleware(http.json_no_store, "http")
app.register_middleware(errors.reshape_chalice_errors, "http")
app.register_middleware(http.through_the_distribution, "http")
for module in (health, reference, auth, tickets, uploads, public, admin_auth, admin_tickets, admin_outages,
               admin_directory, admin_open311_keys, admin_outbox, admin_audit, open311, openapi, schedule):
    app.register_blueprint(module.blueprint)
