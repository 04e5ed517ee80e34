"""Small reusable widgets shared by the workspaces."""
