#!/usr/bin/python3
"""Renders chat templates with real Jinja2 the way Hugging Face transformers does (the second oracle for our engine).

Reads JSON lines on stdin, one job each: {"template": SOURCE, "context": {...}, "now": "YYYY-MM-DDTHH:MM:SS"}.
Writes one JSON line per job: {"ok": true, "out": TEXT} or {"ok": false, "error": MESSAGE}.
Environment as transformers builds it: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the
loopcontrols extension and a {% generation %} block, tojson = json.dumps(ensure_ascii=False, ...), raise_exception,
strftime_now (fixed to the job's "now").
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment


class GenerationBlock(Extension):
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.Scope(body).set_lineno(lineno)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationBlock, "jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        now = datetime.fromisoformat(job.get("now", "2024-07-26T13:45:09"))
        env.globals["strftime_now"] = lambda fmt, now=now: now.strftime(fmt)
        try:
            text = env.from_string(job["template"]).render(**job["context"])
            res = {"ok": True, "out": text}
        except Exception as e:  # every failure is a result to compare, not a crash
            res = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(res, ensure_ascii=True) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
