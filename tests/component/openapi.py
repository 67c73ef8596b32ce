"""A small validator for the subset of OpenAPI 3.0 schemas docs/openapi.json
uses (type, nullable, required, properties, additionalProperties as false or
a schema, minProperties, items, enum, minimum, maximum, pattern, allOf,
$ref). Returns a list of problems."""

import re


class Validator:
    def __init__(self, doc):
        self.doc = doc

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            path = node["$ref"].lstrip("#/").split("/")
            node = self.doc
            for p in path:
                node = node[p]
        return node

    def validate(self, value, schema, where="$"):
        schema = self.resolve(schema)
        errs = []
        if value is None:
            if not schema.get("nullable") and None not in schema.get("enum", []):
                errs.append("%s: null but not nullable" % where)
            return errs
        for sub in schema.get("allOf", []):
            errs += self.validate(value, sub, where)
        t = schema.get("type")
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
        }
        if t and not checks[t](value):
            return errs + ["%s: %r is not %s" % (where, value, t)]
        if "enum" in schema and value not in schema["enum"]:
            errs.append("%s: %r not in %r" % (where, value, schema["enum"]))
        if "minimum" in schema and value < schema["minimum"]:
            errs.append("%s: %r < %r" % (where, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            errs.append("%s: %r > %r" % (where, value, schema["maximum"]))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
        if t == "object":
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for k in schema.get("required", []):
                if k not in value:
                    errs.append("%s: missing %s" % (where, k))
            if len(value) < schema.get("minProperties", 0):
                errs.append("%s: fewer than %d keys" % (where, schema["minProperties"]))
            for k, v in value.items():
                if k in props:
                    errs += self.validate(v, props[k], "%s.%s" % (where, k))
                elif extra is False:
                    errs.append("%s: undocumented key %s" % (where, k))
                elif isinstance(extra, dict):
                    errs += self.validate(v, extra, "%s.%s" % (where, k))
        if t == "array" and "items" in schema:
            for i, v in enumerate(value):
                errs += self.validate(v, schema["items"], "%s[%d]" % (where, i))
        return errs

    def response_schema(self, path, method, status):
        op = self.doc["paths"][path][method.lower()]
        resp = op["responses"].get(str(status))
        if resp is None:
            return None
        resp = self.resolve(resp)
        return resp["content"]["application/json"]["schema"]
