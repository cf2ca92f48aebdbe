"""The browser pages for the stream and the speakers (`moderator overlay`): /overlay, a
lower third with a transparent background for OBS, vMix or any browser source; /stage, the
speakers' page; /api/state, the same as JSON. Read-only, fed by the change watch the
consoles use; on the UI layer (it calls services, services never import it)."""

DEFAULT_PORT = 8765  # `moderator overlay --port`
