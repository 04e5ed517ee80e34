"""``carvrooom diagnose``: AI diagnosis of the simulated car or a stored recording.

Gemini answers when an API key is in the keyring (Settings); otherwise, or when the model
fails or is slow, the offline expert answers within the time budget, marked as offline.
If the model answers after the budget, its answer is printed too and replaces the stored
offline one. LangGraph and the Gemini client are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any


from carvrooom_desktop.cli.common import add_live_options, live_spec


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("diagnose", help="AI diagnosis (Gemini, or the offline expert) of the simulated car or a recording")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sim", action="store_true", help="scan and drive the simulated car")
    source.add_argument("--recording", metavar="ID", help="a recording in the store (an id prefix is enough)")
    add_live_options(source, parser, what="diagnose")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:SEVERITY]",
                        help="simulator fault to inject (repeatable), e.g. vacuum_leak or misfire_cyl3")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (deterministic runs)")
    parser.add_argument("--complaint", default="", help="the customer's complaint, in the technician's words")
    parser.add_argument("--offline", action="store_true", help="use the offline expert only (no model call)")
    parser.add_argument("--pro", action="store_true", help="ask for the stronger (Pro) model")
    parser.add_argument("--json", action="store_true", help="machine-readable output (the final diagnosis)")
    parser.set_defaults(run=run)


def _open_store(args: argparse.Namespace, required: bool) -> Any:
    from carvrooom_desktop.cli.common import open_store
    from carvrooom_desktop.errors import StoreUnavailable

    try:
        return open_store(args)
    except StoreUnavailable as e:
        if required:
            raise
        print(f"carvrooom: {e}; the diagnosis is not stored", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.config.settings import load_settings
    from carvrooom_desktop.diagnosis.cases import case_from_recording, case_from_simulator
    from carvrooom_desktop.diagnosis.service import DiagnosisService

    if not args.sim and args.fault:
        raise ValueError("--fault only applies to the simulated car (--sim)")
    if args.sim:
        from drivers.simulator.faults import parse_faults

        parse_faults(args.fault)  # a bad fault name fails before anything starts
    settings, _warnings = load_settings()
    spec = live_spec(args)
    store = _open_store(args, required=not args.sim)
    service = DiagnosisService(settings, store=store)
    try:
        if spec is not None:
            from carvrooom_desktop.cli.common import record_live

            recording = record_live(store, spec, args.seconds, notes="AI diagnosis")
            case = case_from_recording(store, service.repo, recording.id, complaint=args.complaint, wants_pro=args.pro)
        elif args.sim:
            case = case_from_simulator(tuple(args.fault), seed=args.seed, store=store, repo=service.repo,
                                       complaint=args.complaint, wants_pro=args.pro)
        else:
            case = case_from_recording(store, service.repo, args.recording, complaint=args.complaint, wants_pro=args.pro)
        late: dict[str, Any] = {}
        arrived = threading.Event()

        def replaced(_id: Any, diagnosis: Any, reason: str) -> None:
            late["diagnosis"], late["reason"] = diagnosis, reason
            arrived.set()

        outcome = service.diagnose(case, offline_only=args.offline, on_replaced=replaced)
        wait_s = settings.gemini_timeout_s * 3 + 5  # workers, synthesis and a possible escalation
        if args.json:
            final = outcome.diagnosis
            if outcome.pending and arrived.wait(wait_s) and late.get("diagnosis") is not None:
                final = late["diagnosis"]
            print(json.dumps({"source": case.source, "diagnosis_id": str(outcome.diagnosis_id) if outcome.diagnosis_id else None,
                              "notes": case.notes, "diagnosis": final.model_dump(mode="json")}, indent=2))
            return 0
        print(format_diagnosis(case.source, outcome.diagnosis, case.notes, outcome.diagnosis_id))
        if outcome.pending:
            print("\n(waiting for the model's answer…)", flush=True)
            if arrived.wait(wait_s) and late.get("diagnosis") is not None:
                print("\nThe model answered; this replaces the offline diagnosis:\n")
                print(format_diagnosis(case.source, late["diagnosis"], [], outcome.diagnosis_id))
            else:
                print(f"The model did not answer ({late.get('reason') or 'no reply'}); the offline diagnosis stands.")
        return 0
    finally:
        service.close()
        if store is not None:
            store.close()


def _evidence_line(e: Any) -> str:
    where = ""
    if e.signal and e.t_start is not None and e.t_end is not None:
        where = f"  [{e.signal} {e.t_start:.1f}–{e.t_end:.1f} s]"
    text = e.detail or e.ref
    return f"{e.kind:<12} {text[:110]}{where}"


def format_diagnosis(what: str, d: Any, notes: list[str], diagnosis_id: Any = None) -> str:
    origin = f"Gemini {d.model}" if d.source == "model" else f"OFFLINE expert ({d.fallback_reason})" if d.fallback_reason else "OFFLINE expert"
    lines = [f"AI diagnosis: {what}", f"Answered by  {origin}", f"Areas        {', '.join(d.areas) or '-'}",
             f"Urgency      {d.urgency.upper()} — {d.urgency_reason}", ""]
    lines += [f"note: {n}" for n in notes]
    if d.summary:
        lines += [d.summary, ""]
    lines.append("Probable causes" if d.causes else "Probable causes: none found in the codes and findings")
    for rank, c in enumerate(d.causes, 1):
        lines.append(f"  {rank}. {c.confidence:4.0%}  {c.title}  [{c.system}]")
        lines += [f"           {_evidence_line(e)}" for e in c.evidence]
    if d.tests:
        lines += ["", "Tests to run next"]
        lines += [f"  - {t.title}" + (f" ({t.tool})" if t.tool else "") + f"\n      expect: {t.expected}" for t in d.tests]
    if d.job is not None:
        j = d.job
        lines += ["", f"Proposed job  {j.title}: {j.labour_hours:g} h, {j.skill}, {j.bay_type}"
                      + (f"; parts: {', '.join(j.parts)}" if j.parts else "")]
    if d.dropped:
        lines += ["", "Removed by validation"] + [f"  - {x}" for x in d.dropped]
    tail = f"Tokens {d.input_tokens} in / {d.output_tokens} out, cost ${d.cost_usd:.4f}"
    if diagnosis_id:
        tail += f" · stored as diagnosis {diagnosis_id}"
    lines += ["", tail]
    return "\n".join(lines)
