"""``/api/docs/``: Swagger UI under the content security policy.

drf-spectacular's split view serves the start-up script as a file of its own (``?script=``), so the
page needs no inline script; our template moves its few inline style rules to a stylesheet. Swagger
UI draws its icons from data: URLs in its own stylesheet, the one thing this page adds to the policy.
"""

import threading
from collections.abc import Callable

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

# drf-spectacular's generator is not thread-safe: two schema requests at once in one process
# (runserver's threads, gunicorn's gthread workers) answered 500 to one of them in CI.
_SCHEMA_GENERATION = threading.Lock()


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: drf-spectacular's view, one generation at a time per process."""

    def _get_schema_response(self, request: Request) -> Response:
        with _SCHEMA_GENERATION:
            return super()._get_schema_response(request)


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "web/api_docs.html"


def api_docs_view() -> Callable[[HttpRequest], HttpResponseBase]:
    view = ApiDocsView.as_view(url_name="schema")
    return csp_update({"img-src": ["data:"]})(view)
