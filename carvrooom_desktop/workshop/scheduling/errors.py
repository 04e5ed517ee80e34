"""The scheduler's own errors (each names the item that is wrong)."""

from __future__ import annotations

from carvrooom_desktop.errors import CarVrooomError


class ScheduleProblemError(CarVrooomError, ValueError):
    """A problem file or a job/bay/technician that cannot be taken: every problem found, each naming its item."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        shown = self.problems[:20]
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        if len(shown) == 1:
            super().__init__(f"{head}{shown[0]}")
        else:
            super().__init__(f"{head}{len(self.problems)} problems:\n  " + "\n  ".join(shown) + more)


__all__ = ["ScheduleProblemError"]
