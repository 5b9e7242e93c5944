"""Validate the served OpenAPI document (the app built with the testing config): non-zero when invalid.

Run by ``make lint``; ``--dump PATH`` also writes the document as JSON.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openapi_spec_validator import validate  # noqa: E402
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError  # noqa: E402

from marketplace import create_app  # noqa: E402


def build_document():
    app = create_app("testing")
    with app.app_context():
        from marketplace.extensions import api
        return api.spec.to_dict()


def main(argv):
    document = build_document()
    if len(argv) > 2 and argv[1] == "--dump":
        with open(argv[2], "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
    try:
        validate(json.loads(json.dumps(document)))
    except OpenAPIValidationError as exc:
        print(f"openapi.json is invalid: {exc.message} at {'/'.join(str(p) for p in exc.path)}", file=sys.stderr)
        return 1
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    operations = sum(len(set(item) & methods) for item in document["paths"].values())
    print(f"openapi.json is valid OpenAPI {document['openapi']}: "
          f"{len(document['paths'])} paths, {operations} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
