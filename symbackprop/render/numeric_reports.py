"""Text and JSON reports of evaluations and gradient checks."""

from __future__ import annotations

from typing import Any

from ..network.build import Network
from ..numeric.evaluation import Evaluation
from ..numeric.gradient_check import GradcheckReport
from .printing import number


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h)
              for k, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) if k else c.ljust(w)
                      for k, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    return out


def evaluation_text(net: Network, ev: Evaluation) -> str:
    lines = [net.spec.title, ""]
    if len(ev.examples) > 1:
        lines.append(f"{len(ev.examples)} examples; the cost is the mean of their losses; "
                     "unit values are for example 1")
    rows = [[name, number(v["net"]), number(v["out"])] for name, v in ev.units.items()]
    lines += _table(["unit", "net input", "activation"], rows)
    lines += ["", f"loss = {number(ev.loss)}", ""]
    grows = []
    for p in net.params:
        row = [p.name, number(ev.gradients[p.name])]
        if ev.updated is not None:
            row.append(number(ev.updated[p.name]))
        grows.append(row)
    header = ["param", "gradient"] + ([f"after {ev.steps} step(s)"] if ev.updated else [])
    lines += _table(header, grows)
    if ev.updated is not None:
        lines += ["", f"learning rate {number(ev.learning_rate or 0)}; "
                  f"loss after each step:"]
        shown = ev.history[1:]
        if len(shown) > 12:
            idx = list(range(5)) + list(range(len(shown) - 5, len(shown)))
            for k in idx:
                lines.append(f"  step {k + 1}: {number(shown[k])}")
                if k == 4:
                    lines.append("  ...")
        else:
            lines += [f"  step {k + 1}: {number(v)}" for k, v in enumerate(shown)]
        if ev.frozen:
            lines.append("frozen: " + ", ".join(ev.frozen))
    return "\n".join(lines) + "\n"


def evaluation_json(ev: Evaluation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "loss": ev.loss,
        "units": ev.units,
        "gradients": ev.gradients,
        "examples": [{"loss": e.loss, "units": e.units} for e in ev.examples],
        "history": ev.history,
    }
    if ev.updated is not None:
        data["learning_rate"] = ev.learning_rate
        data["steps"] = ev.steps
        data["updated"] = ev.updated
        data["frozen"] = list(ev.frozen)
    return data


def gradcheck_text(report: GradcheckReport) -> str:
    lines: list[str] = []
    if report.method == "directional":
        total = report.total_parameters
        lines += [f"directional check: {len(report.directions)} random directions and "
                  f"{len(report.parameters)} sampled parameters of {total}", ""]
        drows = [[f"d{c.index}", f"{c.analytic:.12g}", f"{c.numeric:.12g}",
                  f"{c.abs_error:.2e}", f"{c.rel_error:.2e}", "ok" if c.ok else "FAIL"]
                 for c in report.directions]
        lines += _table(["direction", "g·d", "numeric", "abs error", "rel error", "pass"],
                        drows)
        lines.append("")
    rows = [[r.name, f"{r.analytic:.12g}", f"{r.numeric:.12g}", f"{r.abs_error:.2e}",
             f"{r.rel_error:.2e}", "ok" if r.ok else "FAIL"] for r in report.parameters]
    lines += _table(["param", "analytic", "numeric", "abs error", "rel error", "pass"], rows)
    failed = sum(not r.ok for r in report.parameters) + sum(
        not c.ok for c in report.directions)
    verdict = ("all checks agree" if report.method == "directional" else
               "all gradients agree") if report.ok else f"{failed} check(s) disagree"
    lines += ["", f"{verdict}; max relative error {report.max_rel_error:.2e}",
              f"method: {report.method}", f"rule: {report.rule}"]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines) + "\n"


def gradcheck_json(report: GradcheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "max_rel_error": report.max_rel_error,
        "method": report.method,
        "rule": report.rule,
        "total_parameters": report.total_parameters,
        "directions": [{"index": c.index, "analytic": c.analytic, "numeric": c.numeric,
                        "abs_error": c.abs_error, "rel_error": c.rel_error, "ok": c.ok}
                       for c in report.directions],
        "parameters": [{"name": r.name, "analytic": r.analytic, "numeric": r.numeric,
                        "abs_error": r.abs_error, "rel_error": r.rel_error, "ok": r.ok}
                       for r in report.parameters],
        "notes": report.notes,
    }
