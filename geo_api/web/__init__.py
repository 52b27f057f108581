"""What wraps every request: deadlines, body limits, client addresses, headers, logs, metrics.

Each module is one plain ASGI middleware (or the setup of one), added by ``stack.install`` in
the order that makes each see what it needs: the client address first, then the request id,
logs and metrics, so they see every answer; then the security headers; then CORS; then the
deadline; then the body limit. The key check that must come before a body is read wraps each
route's handler (``keyfirst``).
"""
