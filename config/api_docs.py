"""``/api/docs/``: Swagger UI under the content security policy.

drf-spectacular's split view serves the start-up script as a file of its own (``?script=``), so the
page needs no inline script; our template moves its few inline style rules to a stylesheet. Swagger
UI draws its icons from data: URLs in its own stylesheet, the one thing this page adds to the policy.
"""

from collections.abc import Callable

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "web/api_docs.html"


def api_docs_view() -> Callable[[HttpRequest], HttpResponseBase]:
    view = ApiDocsView.as_view(url_name="schema")
    return csp_update({"img-src": ["data:"]})(view)
