"""Text and JSON reports of evaluations and gradient checks."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sympy as sp

from ..network.build import Network
from ..numeric.check_results import DirectionCheck, GradcheckReport, ParamCheck
from ..numeric.evaluation import Evaluation
from ..numeric.exact import ExactEvaluation
from ..numeric.lambdified import HIGH_PRECISION_DIGITS
from .numbers import json_number, number


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h)
              for k, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) if k else c.ljust(w)
                      for k, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    return [row.rstrip() for row in out]


def _equations(pairs: list[tuple[str, str]]) -> list[str]:
    """``name = value`` lines of one width, their ``=`` under each other."""
    left = max((len(n) for n, _ in pairs), default=0)
    right = max((len(v) for _, v in pairs), default=0)
    return [f"{n.ljust(left)} = {v.ljust(right)}" for n, v in pairs]


def _show(value: Any) -> str:
    """A value as printed: nine significant digits, or an exact fraction (553/20)."""
    return str(value) if isinstance(value, sp.Rational) else number(value)


def evaluation_text(net: Network, ev: Evaluation | ExactEvaluation) -> str:
    """The report of ``eval``: unit values under the names ``derive`` prints (``in_h1``,
    ``out_h1``), the loss, every gradient and, with a learning rate, the rounds of descent.

    Round k is one forward pass, backward pass and update; its loss is measured in its
    forward pass, after k − 1 updates, as Mazur counts: "after repeating this process 10,000
    times, the error plummets to 0.0000351085" is round 10,000."""
    lines = [net.spec.title, ""]
    examples = getattr(ev, "examples", [])
    if len(examples) > 1:
        lines.append(f"{len(examples)} examples; the cost is the mean of their losses; "
                     "unit values are for example 1")
    # each row names its quantities as derive prints them; a unit's own name (u2_1 where
    # the spec gives none) is printed nowhere else
    columns = [[(getattr(u, part).name, _show(ev.units[u.name][key])) for u in net.units]
               for part, key in (("net", "net"), ("out", "out"))]
    nets, outs = (_equations(column) for column in columns)
    lines += _table(["net input", "activation"],
                    [[a, b] for a, b in zip(nets, outs, strict=True)])
    lines += ["", f"{net.loss_symbol.name} = {_show(ev.loss)}", ""]
    grows = []
    for p in net.trained:
        row = [p.name, _show(ev.gradients[p.name])]
        if ev.updated is not None:
            row.append(_show(ev.updated[p.name]))
        grows.append(row)
    after = "update" if ev.steps == 1 else "updates"
    header = ["param", f"∂{net.loss_symbol.name}/∂param"] + (
        [f"after {ev.steps} {after}"] if ev.updated else [])
    lines += _table(header, grows)
    if ev.updated is not None:
        lines += ["", f"learning rate {_show(ev.learning_rate)}; the loss in each round's "
                  "forward pass (round k comes after k − 1 updates):"]
        rounds = [(k + 1, v) for k, v in enumerate(ev.history[:-1])]
        shown = rounds if len(rounds) <= 12 else [*rounds[:5], None, *rounds[-5:]]
        for item in shown:
            lines.append("  ..." if item is None else f"  round {item[0]}: {_show(item[1])}")
        lines.append(f"  after the last update: {_show(ev.history[-1])}")
    if ev.frozen:
        lines.append("frozen: " + ", ".join(ev.frozen))
    return "\n".join(lines) + "\n"


def quantity_values(net: Network, ev: Evaluation | ExactEvaluation) -> dict[str, Any]:
    """Every unit's net input and activation and the loss, under the names ``derive`` prints
    and ``check`` reads (``in_h1``, ``out_h1``, ``E_total``), for the first example."""
    out: dict[str, Any] = {}
    for u in net.units:
        out[u.net.name] = ev.units[u.name]["net"]
        out[u.out.name] = ev.units[u.name]["out"]
    out[net.loss_symbol.name] = ev.loss
    return out


def labelled_units(net: Network, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` keyed by unit (``u2_1``) → keyed by the units' labels, the names the text
    output prints (``h1`` for a unit the spec names, ``a_2_1`` for one it counts).

    >>> labelled_units(net, {"u2_1": {"net": 0.5, "out": 0.5}})  # doctest: +SKIP
    {'a_2_1': {'net': 0.5, 'out': 0.5}}
    """
    labels = net.spec.unit_labels()
    out = {labels[unit]: value for unit, value in values.items()}
    if len(out) != len(values):  # the loader refuses two units one label: never drop one
        shared = [label for label, n in Counter(labels[u] for u in values).items() if n > 1]
        raise ValueError(f"two units share the label {', '.join(shared)}")
    return out


def evaluation_json(ev: Evaluation, net: Network) -> dict[str, Any]:
    """``history[k]`` is the loss after k updates: ``history[k − 1]`` is round k's; ``units``
    are keyed by :func:`labelled_units`."""
    def units(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return labelled_units(net, {u: {k: json_number(v) for k, v in nets.items()}
                                    for u, nets in values.items()})

    data: dict[str, Any] = {
        "loss": json_number(ev.loss),
        "units": units(ev.units),
        "gradients": {k: json_number(v) for k, v in ev.gradients.items()},
        "examples": [{"loss": json_number(e.loss), "units": units(e.units)}
                     for e in ev.examples],
        "history": ev.history,
    }
    data["quantities"] = {k: json_number(v) for k, v in quantity_values(net, ev).items()}
    if ev.updated is not None:
        data["learning_rate"] = ev.learning_rate
        data["steps"] = ev.steps
        data["updated"] = ev.updated
    if ev.updated is not None or ev.frozen:
        data["frozen"] = list(ev.frozen)
    return data


def exact_json(net: Network, ev: ExactEvaluation) -> dict[str, Any]:
    """The exact evaluation with every number a string such as ``"553/20"``."""
    def show(mapping: dict[str, Any]) -> dict[str, Any]:
        return {k: str(v) if not isinstance(v, dict) else show(v) for k, v in mapping.items()}

    data: dict[str, Any] = {
        "exact": True,
        "loss": str(ev.loss),
        "units": show(labelled_units(net, ev.units)),
        "gradients": show(ev.gradients),
        "quantities": show(quantity_values(net, ev)),
        "history": [str(v) for v in ev.history],
    }
    if ev.updated is not None:
        data["learning_rate"] = str(ev.learning_rate)
        data["steps"] = ev.steps
        data["updated"] = show(ev.updated)
    return data


PASS_WORDS = {"agree": "ok", "disagree": "FAIL", "not checked": "not checked"}


def gradcheck_summary(report: GradcheckReport) -> str:
    """``all gradients agree``, or the counts: ``355 agree, 45 not checked (…)``, with the
    number of disagreements first when there are any."""
    what = "checks" if report.method == "directional" else "gradients"
    if report.disagreed == 0 and report.not_checked == 0:
        return f"all {what} agree"
    parts = [f"{report.disagreed} disagree"] if report.disagreed else []
    parts.append(f"{report.agreed} agree")
    if report.not_checked:
        parts.append(f"{report.not_checked} not checked (they vanish below what the central "
                     "difference resolves)")
    return ", ".join(parts)


def gradcheck_text(report: GradcheckReport) -> str:
    lines: list[str] = []
    if report.method == "directional":
        total = report.total_parameters
        lines += [f"directional check: {len(report.directions)} random directions and "
                  f"{len(report.parameters)} sampled parameters of {total}", ""]
        drows = [[f"d{c.index}", f"{c.analytic:.12g}", f"{c.numeric:.12g}",
                  f"{c.abs_error:.2e}", f"{c.rel_error:.2e}", PASS_WORDS[c.status]]
                 for c in report.directions]
        lines += _table(["direction", "g·d", "numeric", "abs error", "rel error", "pass"],
                        drows)
        lines.append("")
    digits = any(r.digits > HIGH_PRECISION_DIGITS for r in report.parameters)
    rows = [[r.name, f"{r.analytic:.12g}", f"{r.numeric:.12g}", f"{r.abs_error:.2e}",
             f"{r.rel_error:.2e}", *([str(r.digits)] if digits else []), PASS_WORDS[r.status]]
            for r in report.parameters]
    lines += _table(["param", "analytic", "numeric", "abs error", "rel error",
                     *(["digits"] if digits else []), "pass"], rows)
    unchecked: dict[str, list[str]] = {}
    for r in [*report.parameters, *report.directions]:
        if r.status == "not checked":
            name = r.name if isinstance(r, ParamCheck) else f"d{r.index}"
            unchecked.setdefault(r.reason, []).append(name)
    if unchecked:
        lines.append("")
        lines += [f"not checked: {', '.join(names)}: {reason}"
                  for reason, names in unchecked.items()]
    lines += ["", f"{gradcheck_summary(report)}; max relative error "
              f"{report.max_rel_error:.2e}", f"method: {report.method}", f"rule: {report.rule}"]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines) + "\n"


def _check_json(check: ParamCheck | DirectionCheck) -> dict[str, Any]:
    data: dict[str, Any] = {"analytic": check.analytic, "numeric": check.numeric,
                            "abs_error": check.abs_error, "rel_error": check.rel_error,
                            "ok": check.ok, "status": check.status}
    if check.reason:
        data["reason"] = check.reason
    return data


def gradcheck_json(report: GradcheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "max_rel_error": report.max_rel_error,
        "method": report.method,
        "rule": report.rule,
        "total_parameters": report.total_parameters,
        "counts": {"agree": report.agreed, "disagree": report.disagreed,
                   "not_checked": report.not_checked},
        "summary": gradcheck_summary(report),
        "directions": [{"index": c.index, **_check_json(c)} for c in report.directions],
        "parameters": [{"name": r.name, **_check_json(r),
                        **({"digits": r.digits} if r.digits else {})}
                       for r in report.parameters],
        "notes": report.notes,
    }
