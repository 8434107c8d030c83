"""Validate recorded compute and volume API responses against Tempest's own response schemas.

Reads a JSON list of cases on stdin, each
  {"name", "version", "status", "headers", "body", "schema": {"client": "servers_client.ServersClient" | "module": "v2_1.servers" | "volumeModule": "volumes", "attr": "get_server"}}
and prints a JSON list of {"name", "error"} (error null when the response passes). With "client",
the schema module is the one Tempest's service client picks for the microversion
(schema_versions_info + get_schema), as a Tempest run would; with "module" it is that module.
Exits 3 when Tempest is not installed, so the caller can skip loudly.
"""
import importlib
import json
import sys

try:
    from tempest.lib.common import rest_client
    from tempest.lib.services.compute import base_compute_client
except ImportError:
    sys.exit(3)


class Response(dict):
    """What RestClient.validate_response reads: the status, and the headers as a dict."""

    def __init__(self, status, headers):
        super().__init__(headers)
        self.status = status


def schema_module(case):
    spec = case["schema"]
    if "volumeModule" in spec:
        return importlib.import_module(
            "tempest.lib.api_schema.response.volume." + spec["volumeModule"])
    if "module" in spec:
        return importlib.import_module(
            "tempest.lib.api_schema.response.compute." + spec["module"])
    module_name, class_name = spec["client"].split(".")
    client = getattr(importlib.import_module(
        "tempest.lib.services.compute." + module_name), class_name)
    base_compute_client.COMPUTE_MICROVERSION = case["version"]
    # get_schema reads nothing from the instance but the version above.
    return client.get_schema(object.__new__(client), client.schema_versions_info)


def check(case):
    try:
        schema = getattr(schema_module(case), case["schema"]["attr"])
        rest_client.RestClient.validate_response(
            schema, Response(case["status"], case.get("headers", {})), case["body"])
        return None
    except Exception as error:  # every failure is the answer for this case
        return "%s: %s" % (type(error).__name__, error)


def main():
    cases = json.load(sys.stdin)
    json.dump([{"name": case["name"], "error": check(case)} for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
