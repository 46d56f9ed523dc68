"""CDS Hooks over HTTP: what a request is, how it becomes cards, and how the answer is shaped.

Owns the Flask app factory (`app`), the endpoints (`api/`: discovery, services, feedback, health, the
demo page and the SMART app's static files, `demo_page/` and `smart_app/`), reading the whole body
(`request_body`), CORS, load shedding, the JSON Schemas (`schemas/`, `validation`) and the OpenAPI
document built from them, the per-app state (`runtime`), the evaluation of a hook call and its cards
(`evaluation`, `cards`). It sits above `security`, `storage` and `fetch` and may import them, the shared
modules (`config`, `errors`, `metrics`, `client_profiles`), `hooks` and `fhir_mappings`; nothing below it
imports it.
"""
