"""Coverage against the plan's targets: plans, periods, the coverage SQL, maps and exports."""
