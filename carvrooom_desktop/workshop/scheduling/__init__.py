"""Bay scheduling: jobs, bays, technicians and shifts in; a plan of bookings out (OR-Tools CP-SAT, lazily).

    from carvrooom_desktop.workshop.scheduling import load_problem, solve
    plan = solve(load_problem("week.json"), time_limit_s=10)

Importing this package never imports OR-Tools; ``solve`` does, when CP-SAT runs.
"""

from carvrooom_desktop.workshop.scheduling.domain import (
    BAY_TYPES, SLOT_MINUTES, Bay, Booking, Break, Dependency, Holiday, Job, OpeningHours, Part, Pin, Plan, Problem, Shift,
    Technician, Unschedulable, Weights,
)
from carvrooom_desktop.workshop.scheduling.errors import ScheduleProblemError
from carvrooom_desktop.workshop.scheduling.problem import (
    check_staffed, load_problem, plan_to_dict, problem_from_dict, problem_to_dict,
)
from carvrooom_desktop.workshop.scheduling.solve import solve

__all__ = [
    "BAY_TYPES", "SLOT_MINUTES", "Bay", "Booking", "Break", "Dependency", "Holiday", "Job", "OpeningHours", "Part", "Pin", "Plan",
    "Problem", "ScheduleProblemError", "Shift", "Technician", "Unschedulable", "Weights", "check_staffed", "load_problem",
    "plan_to_dict", "problem_from_dict", "problem_to_dict", "solve",
]
