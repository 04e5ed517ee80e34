"""Workshop services (no Qt): bay scheduling; warranty, alerts and users come with their issues."""
