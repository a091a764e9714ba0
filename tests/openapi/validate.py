#!/usr/bin/python3
"""Checks real answers of rpad against /api/v1/openapi.json.

Usage: validate.py OPENAPI.json SAMPLES.json
SAMPLES is a list of {"method", "route" (the pattern), "status", "body"}: for each, the document
must describe that status of that operation, and the body must validate against its schema
(JSON Schema 2020-12, with the document's components). Prints every failure; exit 1 if any.
"""
import json
import sys
import warnings

import jsonschema


def main():
    doc = json.load(open(sys.argv[1]))
    samples = json.load(open(sys.argv[2]))
    with warnings.catch_warnings():  # deprecated in newer jsonschema, the API bookworm's has
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(doc)
    failures = []
    checked = set()
    for s in samples:
        where = f'{s["method"]} {s["route"]} -> {s["status"]}'
        op = doc["paths"].get(s["route"], {}).get(s["method"].lower())
        if op is None:
            failures.append(f"{where}: no such operation in the document")
            continue
        answer = op["responses"].get(str(s["status"]))
        if answer is None:
            failures.append(f"{where}: status not documented")
            continue
        content = answer.get("content", {})
        if s["body"] is None:
            if content and s["status"] != 204 and "application/json" in content:
                failures.append(f"{where}: documented with a body, answered without")
            continue
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            failures.append(f"{where}: answered JSON, documented without a schema")
            continue
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
        for error in validator.iter_errors(s["body"]):
            path = "/".join(str(p) for p in error.absolute_path)
            failures.append(f"{where}: at /{path}: {error.message[:300]}")
        checked.add(f'{s["method"]} {s["route"]}')
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{len(samples)} answers of {len(checked)} operations checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
