"""The service's metrics, for Prometheus to scrape."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute

router = APIRouter(tags=["health"], route_class=DocumentedRoute)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Request counts and latencies by route, in Prometheus' text format.",
            # Bytes of Prometheus' exposition format: no JSON model, a media type.
            "content": {
                CONTENT_TYPE_LATEST.split(";")[0]: {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        },
        **error_responses(503),
    },
)
def metrics(request: Request) -> Response:
    """Request counts and latencies by route template (Prometheus text format)."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
