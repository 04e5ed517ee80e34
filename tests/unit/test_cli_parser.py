"""The one argument parser: the `gui` subcommand, common options before and after a subcommand, lazy subcommands."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from carvrooom_desktop import __main__ as entry
from carvrooom_desktop.cli import COMMAND_MODULES, build_parser, parse_args, run_cli
from carvrooom_desktop.cli.gui import GuiOptions

ROOT = Path(__file__).resolve().parents[2]


def _fresh(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def fake_app(monkeypatch):
    """The lazy import target of `gui`: a stand-in for carvrooom_desktop.app that records what run_gui got."""
    calls: list[GuiOptions] = []
    module = types.ModuleType("carvrooom_desktop.app")
    module.run_gui = lambda options: calls.append(options) or 0
    monkeypatch.setitem(sys.modules, "carvrooom_desktop.app", module)
    return calls


def test_gui_help_exits_0_without_importing_qt():
    out = _fresh(
        "import sys\n"
        "from carvrooom_desktop.__main__ import main\n"
        "try:\n    main(['gui', '--help'])\nexcept SystemExit as e:\n    code = e.code\n"
        "print('EXIT', code, 'QT', any(m.split('.')[0] in ('PySide6', 'ui', 'pyqtgraph') for m in sys.modules),"
        " 'APP', 'carvrooom_desktop.app' in sys.modules)\n"
    )
    assert "usage: carvrooom gui" in out and "--autoconnect" in out and "--fault" in out and "--seed" in out
    assert out.strip().endswith("EXIT 0 QT False APP False")


def test_building_the_parser_imports_no_subcommand_module():
    """The GUI's start-up goes through this parser: it must not pay for python-can, SQLAlchemy, the simulator..."""
    out = _fresh(
        "import sys\n"
        "from carvrooom_desktop.cli import parse_args\n"
        "parse_args([]); parse_args(['--db', 'sqlite://', 'gui', '--autoconnect'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('carvrooom_desktop.cli.') or m.split('.')[0] in ('can', 'sqlalchemy')))\n"
    )
    assert out.strip() == "['carvrooom_desktop.cli.gui']"


@pytest.mark.parametrize("argv", [["-v", "scan", "--sim"], ["scan", "--sim", "-v"], ["scan", "-v", "--sim"],
                                  ["--verbose", "scan", "--sim"], ["scan", "--sim", "--verbose"], ["-v", "scan", "--sim", "-v"]])
def test_verbose_before_and_after_the_subcommand(argv):
    args = parse_args(argv)
    assert args.command == "scan" and args.sim and args.verbose is True


def test_not_verbose_unless_asked():
    assert parse_args(["scan", "--sim"]).verbose is False
    assert parse_args([]).verbose is False


def test_common_options_after_a_nested_subcommand():
    args = parse_args(["sessions", "list", "-v", "--db", "sqlite:///x.db"])
    assert (args.command, args.action, args.verbose, args.db) == ("sessions", "list", True, "sqlite:///x.db")


def test_db_before_and_after_the_subcommand():
    assert parse_args(["--db", "sqlite:///a.db", "scan", "--sim"]).db == "sqlite:///a.db"
    assert parse_args(["scan", "--sim", "--db", "sqlite:///b.db"]).db == "sqlite:///b.db"
    assert parse_args(["--db", "sqlite:///a.db", "scan", "--sim", "--db", "sqlite:///b.db"]).db == "sqlite:///b.db"
    assert parse_args(["scan", "--sim"]).db is None


def test_no_arguments_start_the_gui(fake_app):
    assert entry.main([]) == 0
    assert fake_app == [GuiOptions()]


def test_db_alone_and_db_before_gui_start_the_gui_on_that_database(fake_app):
    assert entry.main(["--db", "sqlite:///a.db"]) == 0
    assert entry.main(["--db", "sqlite:///b.db", "gui"]) == 0
    assert entry.main(["gui", "--db", "sqlite:///c.db", "-v"]) == 0
    assert [(o.db_url, o.verbose) for o in fake_app] == [("sqlite:///a.db", False), ("sqlite:///b.db", False), ("sqlite:///c.db", True)]


def test_gui_options_reach_run_gui(fake_app):
    assert run_cli(["-v", "gui", "--autoconnect", "--fault", "vacuum_leak", "--fault", "misfire_cyl3:0.5", "--seed", "7",
                    "-style", "fusion"]) == 0
    assert fake_app == [GuiOptions(autoconnect="sim", faults=("vacuum_leak", "misfire_cyl3:0.5"), seed=7, verbose=True,
                                   qt_args=("-style", "fusion"))]
    assert GuiOptions.parse(["--autoconnect", "sim-elm"]).autoconnect == "sim-elm"
    assert GuiOptions.parse([]) == GuiOptions()


def test_unknown_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        entry.main(["frobnicate"])
    assert caught.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_unknown_option_of_a_headless_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        run_cli(["scan", "--sim", "-style", "fusion"])  # only `gui` hands unknown arguments to Qt
    assert caught.value.code == 2
    assert "unrecognized arguments: -style fusion" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        run_cli(["--no-such-option"])
    assert caught.value.code == 2


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("    ") and line.split()[0] in COMMAND_MODULES]
    assert listed == list(COMMAND_MODULES)


def test_subcommand_help_shows_the_common_options(capsys):
    with pytest.raises(SystemExit) as caught:
        run_cli(["scan", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "usage: carvrooom scan" in out and "--db URL" in out and "--verbose" in out
