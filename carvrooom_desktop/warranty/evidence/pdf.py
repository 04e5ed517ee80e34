"""The evidence pack as a PDF (ReportLab, imported when a pack is made, never at start-up).

Sections in the order a manufacturer's reviewer reads them: the cover (claim, car, verdict, the
checks at a glance), the claim with its three Cs, the coverage verdict and the rule that decided
it, trouble codes and freeze frame, the evidence plots, health findings, the diagnosis and the
technician's verdict, the fraud and error checks, and the manifest with the command that verifies
it. The embedded files of the manifest go into the PDF's EmbeddedFiles name tree, so any PDF
reader lists them and ``warranty verify`` reads them back.

Byte-identical output: ReportLab's invariant mode (fixed creation date and document id), the
standard Helvetica fonts (nothing embedded from the system), no clock anywhere (the pack's date
is the caller's ``issued_on``), and sorted, canonical inputs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from carvrooom_desktop.warranty.evidence.contents import PackContents, PackItem
from carvrooom_desktop.warranty.evidence.manifest import MANIFEST_NAME, VERIFY_COMMAND, build_manifest, seal
from carvrooom_desktop.warranty.evidence.plots import draw_plot

ACCENT = "#1c4f8c"
MUTED = "#5b6472"
RULE = "#d5dae1"
OK_BG, FLAG_BG = "#e6f4ea", "#fde8e4"


def _t(text: Any) -> str:
    """Safe Paragraph text: XML-escaped, and only characters the standard fonts have."""
    return escape(_plain_text("" if text is None else str(text)))


def render_pack(contents: PackContents) -> tuple[bytes, dict[str, Any]]:
    """(the sealed PDF, its manifest)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    c = contents
    claim = c.claim
    manifest = build_manifest(claim.claim_id, c.items, c.external)
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
    embedded = [*c.items, PackItem(MANIFEST_NAME, "manifest", manifest_bytes)]

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor(MUTED))
    mono = ParagraphStyle("mono", parent=body, fontName="Courier", fontSize=6.6, leading=8.5)
    h1 = ParagraphStyle("h1", parent=body, fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=colors.HexColor(ACCENT))
    h2 = ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=5,
                        textColor=colors.HexColor(ACCENT))
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5)
    cell_b = ParagraphStyle("cellb", parent=cell, fontName="Helvetica-Bold")

    width = A4[0] - 36 * mm

    def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], header: bool = True,
              shade: Sequence[tuple[int, str]] = ()) -> Table:
        data = [[x if not isinstance(x, str) else Paragraph(_t(x), cell_b if header and r == 0 else cell) for x in row]
                for r, row in enumerate(rows)]
        t = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(RULE)),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                 ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
        if header:
            style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7"))]
        style += [("BACKGROUND", (0, r), (-1, r), colors.HexColor(bg)) for r, bg in shade]
        t.setStyle(TableStyle(style))
        return t

    def fields(pairs: Sequence[tuple[str, Any]]) -> Table:
        rows = [[Paragraph(_t(k), cell_b), Paragraph(_t("-" if v in (None, "") else v), cell)] for k, v in pairs]
        t = Table(rows, colWidths=[48 * mm, width - 48 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(RULE)),
                               ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))
        return t

    verdict = c.check.verdict
    fired = c.check.fired
    km = "-" if claim.odometer_km is None else f"{claim.odometer_km:,.0f} km"
    vehicle_label = " ".join(str(v) for v in (c.vehicle.get("year"), c.vehicle.get("make"), c.vehicle.get("model")) if v) or "-"
    story: list[Any] = []

    # -- cover ----------------------------------------------------------------------------------
    story += [Paragraph("Warranty evidence pack", h1), Spacer(1, 2 * mm),
              Paragraph(_t(f"Claim {claim.claim_id} - {claim.part_category.replace('_', ' ')} - {claim.status.value}"), h2)]
    workshop = c.workshop
    story.append(fields([
        ("Vehicle", f"{vehicle_label}, VIN {claim.vin}"), ("Odometer in / out", f"{km} / " + (
            "-" if claim.odometer_out_km is None else f"{claim.odometer_out_km:,.0f} km")),
        ("Repair date", claim.repair_date), ("Claim date", claim.claim_date), ("Dealer", claim.dealer_id),
        ("Amount claimed", f"{claim.amount:,.2f}"),
        ("Workshop", ", ".join(v for v in (workshop.get("name"), workshop.get("address"), workshop.get("phone")) if v) or "-"),
        ("Pack issued", c.issued_on),
    ]))
    story.append(Spacer(1, 4 * mm))
    summary = [["Check", "Result"],
               ["Coverage", verdict.explanation[:1].upper() + verdict.explanation[1:]],
               ["Fraud and error checks", f"{len(fired)} of {len(c.check.signals)} raised a flag"
                + (": " + ", ".join(s.kind.replace("_", " ") for s in fired) if fired else "")],
               ["Recording", "none attached" if c.recording is None else
                f"{c.recording['duration_s'] or 0:.0f} s, {c.recording['samples']:,} samples, SHA-256 {c.recording['sha256'][:16]}..."],
               ["Manifest SHA-256", manifest["manifest_sha256"]]]
    story.append(table(summary, [48 * mm, width - 48 * mm],
                       shade=[(1, OK_BG if verdict.covered else FLAG_BG), (2, FLAG_BG if fired else OK_BG)]))
    for note in c.notes:
        story.append(Paragraph(_t(f"Note: {note}"), small))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(_t(f"Verify this pack and its data: {VERIFY_COMMAND}. Its last line seals every byte; the "
                              "manifest on the last page lists the SHA-256 of every embedded file."), small))

    # -- claim ----------------------------------------------------------------------------------
    story += [Paragraph("Claim", h2), fields([
        ("Complaint", claim.complaint), ("Cause", claim.cause), ("Correction", claim.correction),
        ("Causal part", f"{claim.part_number or '-'} ({claim.part_category.replace('_', ' ')})"),
        ("Labour operation", claim.labour_op), ("In-service date", claim.in_service_date), ("Claim type", claim.claim_type),
        ("Attachments", "; ".join(f"{a.get('name')} ({a.get('kind')}, SHA-256 {str(a.get('sha256', ''))[:16]}...)"
                                  for a in claim.attachments) or "-"),
    ])]

    # -- coverage -------------------------------------------------------------------------------
    story += [Paragraph("Coverage verdict", h2), fields([
        ("Verdict", "covered" if verdict.covered else f"not covered ({verdict.reason.replace('_', ' ')})"),
        ("Deciding rule", f"{verdict.rule_id} - {verdict.rule_name}" if verdict.rule_id else "no rule applies"),
        ("Why", verdict.explanation),
        ("Coverage ends", ", ".join(x for x in (
            f"{verdict.ends_on}" if verdict.ends_on else "", f"{verdict.ends_at_km:,.0f} km" if verdict.ends_at_km else "") if x) or "-"),
        ("Left at the repair", ", ".join(x for x in (_left(verdict.days_left, "days"), _left(verdict.km_left, "km")) if x) or "-"),
    ])]

    # -- codes and freeze frame -----------------------------------------------------------------
    story.append(Paragraph("Trouble codes and freeze frame", h2))
    scan_codes = list((c.scan or {}).get("dtcs", []))
    if c.scan:
        story.append(Paragraph(_t(f"Scan taken {str(c.scan.get('taken_at', ''))[:16].replace('T', ' ')} UTC"
                                  + (", MIL on" if c.scan.get("mil_on") else ", MIL off")), small))
    if scan_codes:
        rows = [["Code", "Kind", "ECU", "Description"]] + [
            [str(d.get("code", "")), str(d.get("kind", "")), str(d.get("ecu", "")), str(d.get("description", ""))] for d in scan_codes]
        story.append(table(rows, [22 * mm, 24 * mm, 22 * mm, width - 68 * mm]))
    elif claim.dtcs:
        story.append(Paragraph(_t("Codes on the claim (no scan stored with the recording): " + ", ".join(claim.dtcs)), body))
    else:
        story.append(Paragraph("No trouble codes were stored with this claim or its recording.", body))
    freeze = list((c.scan or {}).get("freeze_frames") or claim.freeze_frames)
    for frame in freeze[:2]:
        values = frame.get("values", frame) if isinstance(frame, dict) else {}
        pairs = [(str(k).replace("_", " "), v) for k, v in sorted(values.items()) if not isinstance(v, (dict, list))]
        if pairs:
            story.append(Spacer(1, 2 * mm))
            story.append(Paragraph(_t(f"Freeze frame {frame.get('dtc', '') if isinstance(frame, dict) else ''}".strip()), cell_b))
            half = (len(pairs) + 1) // 2
            rows = [[f"{a[0]}", _value(a[1]), f"{b[0]}" if b else "", _value(b[1]) if b else ""]
                    for a, b in zip(pairs[:half], pairs[half:] + [None] * (2 * half - len(pairs)), strict=True)]
            story.append(table(rows, [width * 0.3, width * 0.2, width * 0.3, width * 0.2], header=False))

    # -- every module ---------------------------------------------------------------------------
    if c.modules:
        story.append(Paragraph("Every module of the car", h2))
        scanned = max(str(m.get("scanned_at", "")) for m in c.modules)[:16].replace("T", " ")
        story.append(Paragraph(_t(f"All-modules scan (UDS) of {scanned} UTC: {len(c.modules)} modules, "
                                  f"{sum(len(m.get('codes', ())) for m in c.modules)} codes."), small))
        rows = [["Module", "Address", "State", "Codes (failure type; status)"]]
        shade = []
        for i, m in enumerate(c.modules, start=1):
            codes = "; ".join(f"{d.get('dtc')} {d.get('description', '')} - {d.get('failure_text', '')} "
                              f"({', '.join(d.get('status_words', ())[:2])})" for d in m.get("codes", ())) or "none"
            rows.append([f"{m.get('name') or m.get('short')}", str(m.get("address", "")), str(m.get("state", "")), codes])
            if m.get("codes"):
                shade.append((i, FLAG_BG))
        story.append(table(rows, [38 * mm, 18 * mm, 20 * mm, width - 76 * mm], shade=shade))

    # -- plots ----------------------------------------------------------------------------------
    if c.plots:
        story += [PageBreak(), Paragraph("Evidence from the recording", h2),
                  Paragraph(_t("Each plot is drawn from the recording's samples (embedded as signals.csv). A shaded band is "
                               "the time window of a health finding; a dashed line its limit."), small), Spacer(1, 2 * mm)]
        for plot in c.plots:
            parts = [draw_plot(plot, width, 56 * mm)]
            if plot.caption:
                parts.append(Paragraph(_t(plot.caption), small))
            parts.append(Spacer(1, 2 * mm))
            story.append(KeepTogether(parts))

    # -- health ---------------------------------------------------------------------------------
    story.append(Paragraph("Health findings", h2))
    if c.findings:
        rows = [["Severity", "System", "Check", "Measured", "Summary"]]
        shade = []
        for i, f in enumerate(c.findings, start=1):
            measured = "" if f.get("measured") is None else f"{f['measured']:g} {f.get('unit') or ''}".strip()
            rows.append([str(f["severity"]), str(f["system"]), str(f["check"]), measured, str(f["summary"])])
            if f["severity"] not in ("ok", "info"):
                shade.append((i, FLAG_BG))
        story.append(table(rows, [18 * mm, 22 * mm, 38 * mm, 22 * mm, width - 100 * mm], shade=shade))
        vehicle_score = c.scores.get("vehicle_score")
        if vehicle_score is not None:
            story.append(Paragraph(_t(f"Vehicle health score {vehicle_score:.0f} of 100. {c.scores.get('explanation', '')}"), small))
    else:
        story.append(Paragraph("No health checks had enough data in the attached recording." if c.recording
                               else "No recording attached: no health findings.", body))

    # -- diagnosis ------------------------------------------------------------------------------
    story.append(Paragraph("Diagnosis and the technician's verdict", h2))
    if c.diagnosis:
        dx = c.diagnosis
        result = dx.get("result") or {}
        causes = result.get("causes") or result.get("ranked_causes") or []
        story.append(Paragraph(_t(f"{'AI model ' + dx['model'] if dx.get('source') == 'model' else 'Offline expert'}, "
                                  f"{str(dx.get('created_at', ''))[:16].replace('T', ' ')}"), small))
        if causes:
            rows = [["#", "Cause", "System", "Likelihood", "Next test"]]
            for i, cause in enumerate(causes[:6], start=1):
                p = cause.get("probability", cause.get("likelihood"))
                rows.append([str(i), str(cause.get("cause", cause.get("title", ""))), str(cause.get("system", "")),
                             "" if p is None else (f"{float(p):.0%}" if isinstance(p, (int, float)) else str(p)),
                             str(cause.get("next_test", cause.get("test", "")))])
            story.append(table(rows, [7 * mm, 55 * mm, 24 * mm, 20 * mm, width - 106 * mm]))
        verdicts = dx.get("verdicts") or []
        story.append(Spacer(1, 2 * mm))
        story.append(Paragraph(_t("Technician's verdict: " + ("; ".join(f"{v['verdict'].replace('_', ' ')} - {v['cause']} ({v['system']})"
                                                                        for v in verdicts) if verdicts else "none recorded")), body))
    else:
        story.append(Paragraph("No diagnosis is stored with this claim's recording.", body))

    # -- fraud and error checks -----------------------------------------------------------------
    story.append(Paragraph("Fraud and error checks", h2))
    rows = [["Check", "Score", "Result", "Evidence and advice"]]
    shade = []
    for i, s in enumerate(c.check.signals, start=1):
        evidence = "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in sorted(s.evidence.items()) if v not in (None, "", [], {}))
        rows.append([s.kind.replace("_", " "), f"{s.score:.2f}", "FLAG" if s.fired else "passed",
                     (s.advice + " " if s.fired else "") + (evidence if len(evidence) < 300 else evidence[:297] + "...")])
        shade.append((i, FLAG_BG if s.fired else OK_BG))
    story.append(table(rows, [32 * mm, 13 * mm, 15 * mm, width - 60 * mm], shade=shade))

    # -- manifest -------------------------------------------------------------------------------
    story += [PageBreak(), Paragraph("Manifest", h2),
              Paragraph(_t("Every item of this pack and the SHA-256 of its bytes. Embedded items are files inside this PDF "
                           "(your PDF reader lists them as attachments); the recording's data stays in the workshop's store "
                           "and is hashed again by verify with --data."), small), Spacer(1, 2 * mm)]
    rows = [["Item", "Kind", "Bytes", "SHA-256"]]
    for entry in manifest["items"]:
        rows.append([str(entry["name"]) + ("" if entry["embedded"] else " (not embedded)"), str(entry["kind"]),
                     f"{entry['size']:,}", Paragraph(_t(entry["sha256"]), mono)])
    story.append(table(rows, [40 * mm, 18 * mm, 16 * mm, width - 74 * mm]))
    story += [Spacer(1, 3 * mm), fields([("Manifest SHA-256", manifest["manifest_sha256"]),
                                         ("Format", manifest["format"]), ("Verify with", VERIFY_COMMAND)]),
              Spacer(1, 3 * mm),
              Paragraph(_t("The manifest SHA-256 is taken over the manifest's RFC 8785 canonical JSON without that field. "
                           "The pack's last line (%CARVROOOM-SEAL) is the SHA-256 of every byte before it."), small)]

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.drawString(18 * mm, 10 * mm, _plain_text(f"Claim {claim.claim_id} - VIN {claim.vin} - manifest "
                                                        f"{manifest['manifest_sha256'][:16]}..."))
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.setStrokeColor(colors.HexColor(ACCENT))
        canvas.setLineWidth(1.2)
        canvas.line(18 * mm, A4[1] - 12 * mm, A4[0] - 18 * mm, A4[1] - 12 * mm)
        canvas.drawString(18 * mm, A4[1] - 10 * mm, "CarVrooom warranty evidence pack")
        canvas.restoreState()

    def first_page(canvas: Any, doc: Any) -> None:
        _embed_files(canvas, embedded)
        decorate(canvas, doc)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=16 * mm,
                            title=f"Warranty evidence pack {claim.claim_id}", author=workshop.get("name") or "CarVrooom Desktop",
                            subject=f"Claim {claim.claim_id}, VIN {claim.vin}", creator="CarVrooom Desktop",
                            keywords=["warranty", "evidence", claim.claim_id, claim.vin], invariant=1, pageCompression=1)
    doc.build(story, onFirstPage=first_page, onLaterPages=decorate)
    return seal(buffer.getvalue()), manifest


def _value(v: Any) -> str:
    """A measured value as a reader wants it: 4 significant digits, lists joined, no float noise."""
    if isinstance(v, bool) or v is None:
        return "-" if v is None else ("yes" if v else "no")
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v) or "-"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_value(x)}" for k, x in sorted(v.items()))
    return str(v)


def _left(amount: float | None, unit: str) -> str:
    if amount is None:
        return ""
    return f"{amount:,.0f} {unit} left" if amount >= 0 else f"over by {-amount:,.0f} {unit}"


def _plain_text(s: str) -> str:
    """Only characters the standard (cp1252) fonts have; the rest become '?'."""
    return s.encode("cp1252", "replace").decode("cp1252")


def _embed_files(canvas: Any, items: Sequence[PackItem]) -> None:
    """Put ``items`` into the document's EmbeddedFiles name tree (ReportLab has no public API for it)."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFStreamFilterZCompress, PDFString

    document = canvas._doc
    names: list[Any] = []
    for item in sorted(items, key=lambda i: i.name):  # a name tree's keys are sorted
        stream = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile"), "Params": PDFDictionary({"Size": len(item.data)})}),
                           item.data, filters=[PDFStreamFilterZCompress()])
        spec = PDFDictionary({"Type": PDFName("Filespec"), "F": PDFString(item.name), "UF": PDFString(item.name),
                              "Desc": PDFString(f"{item.kind} ({item.mime}), SHA-256 {item.sha256}"),
                              "EF": PDFDictionary({"F": document.Reference(stream)})})
        names += [PDFString(item.name), document.Reference(spec)]
    document.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})})


__all__ = ["render_pack"]
