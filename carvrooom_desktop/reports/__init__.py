"""Reports that leave the workshop: the owner's health report (ReportLab, imported lazily; issue 15)."""
