"""The PySide6 + pyqtgraph user interface: main window, workspaces, table models, plots, theme.

Only this package and the composition root (``carvrooom_desktop.app``) import Qt.
pyqtgraph is imported by the modules that draw plots, which the main window builds
the first time their workspace is shown, so start-up stays fast.
"""
